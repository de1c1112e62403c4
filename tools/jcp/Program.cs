using Rpc25519.Tools.Jcp;

// jcp: the jsync client. Pushes a local tree to, or pulls it from, a jsrv server: jcp [flags] SRC DEST.
using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};
return await JcpCommand.RunAsync(args, Console.Out, Console.Error, stop.Token);
