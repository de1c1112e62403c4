using System.Runtime.InteropServices;
using Rpc25519.Tools.Jsrv;

// jsrv: the jsync server. Serves one root to jcp clients over TLS (or plain TCP with -tcp) until Ctrl-C or SIGTERM.
using var stop = new CancellationTokenSource();
void Stop(PosixSignalContext context)
{
    context.Cancel = true;
    stop.Cancel();
}
using PosixSignalRegistration interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
using PosixSignalRegistration terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
return await JsrvCommand.RunAsync(args, Console.Out, Console.Error, onListening: null, stop.Token);
