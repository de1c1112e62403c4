using Rpc25519.Security;
using Rpc25519.Tools.Selfy;

return SelfyCommand.Run(args, Console.Out, Console.Error, Passphrase.Prompt);
