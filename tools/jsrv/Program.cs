using Rpc25519.Tools;
using Rpc25519.Tools.Jsrv;

// jsrv: the jsync server. Serves one root to jcp clients over TLS (or plain TCP with -tcp) until Ctrl-C or SIGTERM.
using var stop = new StopSignals();
return await JsrvCommand.RunAsync(args, Console.Out, Console.Error, onListening: null, stop.Token);
