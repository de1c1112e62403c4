using Rpc25519.Tools.TubeLocal;

// tube-local: a three-node Tube cluster on this machine's loopback, in one command (up, down, status).
return await TubeLocalCommand.RunAsync(args, Console.Out, Console.Error, CancellationToken.None);
