using Rpc25519.Tools;
using Rpc25519.Tools.Tup;

// tup: the Tube shell (interactive with no command; one-shot get/put/del/cas/range/prefix/tables/watch for scripts).
using var stop = new StopSignals();
return await TupCommand.RunAsync(args, Console.In, Console.Out, Console.Error, stop.Token);
