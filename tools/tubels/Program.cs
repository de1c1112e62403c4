using Rpc25519.Tools;

// tubels: the status of every Tube member (tools/tube-shared has the code; docs/tube-tools.md the usage).
using var stop = new StopSignals();
return await StatusCommand.RunAsync(args, Console.Out, Console.Error, stop.Token);
