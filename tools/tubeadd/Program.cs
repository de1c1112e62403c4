using Rpc25519.Tools;

// tubeadd: add a node to a Tube cluster (tools/tube-shared has the code; docs/tube-tools.md the usage).
using var stop = new StopSignals();
return await MembershipCommand.RunAsync("tubeadd", adding: true, args, Console.Out, Console.Error, stop.Token);
