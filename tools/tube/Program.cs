using System.Runtime.InteropServices;
using Rpc25519.Tools.Tube;

// tube: one Tube replica, configured by a (tubeConfig …) or JSON file, until Ctrl-C or SIGTERM.
using var stop = new CancellationTokenSource();
void Stop(PosixSignalContext context)
{
    context.Cancel = true;
    stop.Cancel();
}
using PosixSignalRegistration interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
using PosixSignalRegistration terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
return await TubeCommand.RunAsync(args, Console.Out, Console.Error, onStarted: null, stop.Token);
