using Rpc25519.Tools;

// tuberm: remove a node from a Tube cluster (tools/tube-shared has the code; docs/tube-tools.md the usage).
using var stop = new StopSignals();
return await MembershipCommand.RunAsync("tuberm", adding: false, args, Console.Out, Console.Error, stop.Token);
