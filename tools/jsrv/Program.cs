using Rpc25519.Tools.Jsrv;

// jsrv: the jsync server. Serves one root to jcp clients over TLS (or plain TCP with -tcp) until Ctrl-C.
using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};
return await JsrvCommand.RunAsync(args, Console.Out, Console.Error, onListening: null, stop.Token);
