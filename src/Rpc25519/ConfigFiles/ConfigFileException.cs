namespace Rpc25519.ConfigFiles;

/// <summary>A config file could not be read; the message names the line and, where there is one, the field.</summary>
public sealed class ConfigFileException : FormatException
{
    /// <summary>Creates the error.</summary>
    public ConfigFileException(string message, int line, string? field = null, Exception? innerException = null)
        : base($"line {line}: {message}", innerException)
    {
        Line = line;
        Field = field;
        Reason = message;
    }

    /// <summary>The problem, without the line prefix.</summary>
    public string Reason { get; }

    /// <summary>The 1-based line of the problem.</summary>
    public int Line { get; }

    /// <summary>The field concerned, if any.</summary>
    public string? Field { get; }
}
