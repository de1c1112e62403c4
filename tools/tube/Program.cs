using Rpc25519.Tools;
using Rpc25519.Tools.Tube;

// tube: one Tube replica, configured by a (tubeConfig …) or JSON file, until Ctrl-C or SIGTERM.
using var stop = new StopSignals();
return await TubeCommand.RunAsync(args, Console.Out, Console.Error, onStarted: null, stop.Token);
