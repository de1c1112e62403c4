using System.Text;

namespace Rpc25519.Security;

/// <summary>Where pass-phrases of protected key files come from: a program's callback, or the environment variable
/// <c>RPC25519_PASSPHRASE</c>. The library itself never reads the console; a command-line program that wants to ask
/// passes <see cref="Prompt"/> (or its own dialog) as the callback.</summary>
/// <remarks>Reading from the console is not thread-safe; callers prompt from one place at a time.</remarks>
public static class Passphrase
{
    /// <summary>Name of the environment variable consulted before the terminal.</summary>
    public const string EnvironmentVariable = "RPC25519_PASSPHRASE";

    /// <summary>A source for loading keys: <paramref name="provider"/> when given, else the environment variable;
    /// with neither, asking for a pass-phrase fails with a message that says what to set.</summary>
    /// <param name="provider">The program's callback, or null.</param>
    internal static Func<string, string> ForLoading(Func<string, string>? provider) =>
        provider ?? (path => Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } fromEnv
            ? fromEnv
            : throw new RpcException($"The key file '{path}' is protected by a pass-phrase; set " +
                $"TlsOptions.PassphraseProvider (e.g. to Passphrase.ConsolePrompt for a terminal prompt) or the " +
                $"{EnvironmentVariable} environment variable."));

    /// <summary>A callback for <see cref="Transport.TlsOptions.PassphraseProvider"/> that asks on the terminal (see
    /// <see cref="Prompt(string)"/>); for command-line programs.</summary>
    public static Func<string, string> ConsolePrompt { get; } = path => Prompt($"Enter pass-phrase for '{path}': ");

    /// <summary>Reads one line: from the terminal without echo when there is one, else from standard input.</summary>
    /// <exception cref="RpcException">Standard input ended before a line, or there is no console at all.</exception>
    public static string Prompt(string prompt)
    {
        Console.Error.Write(prompt);
        if (Console.IsInputRedirected)
        {
            string line = Console.In.ReadLine() ?? throw new RpcException("Standard input ended; no pass-phrase.");
            return line.TrimEnd('\r');
        }
        var text = new StringBuilder();
        while (true)
        {
            ConsoleKeyInfo key;
            try
            {
                key = Console.ReadKey(intercept: true);
            }
            catch (InvalidOperationException e)
            {
                throw new RpcException($"No terminal to ask for a pass-phrase; set {EnvironmentVariable} or " +
                    "TlsOptions.PassphraseProvider (e.g. Passphrase.ConsolePrompt).", e);
            }
            if (key.Key == ConsoleKey.Enter)
            {
                Console.Error.WriteLine();
                return text.ToString();
            }
            if (key.Key == ConsoleKey.Backspace)
            {
                if (text.Length > 0)
                {
                    text.Length--;
                }
            }
            else if (key.KeyChar != '\0')
            {
                text.Append(key.KeyChar);
            }
        }
    }
}
