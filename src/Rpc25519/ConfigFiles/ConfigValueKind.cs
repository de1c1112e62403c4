namespace Rpc25519.ConfigFiles;

/// <summary>How a config field's value is written in a file.</summary>
internal enum ConfigValueKind
{
    /// <summary>A quoted string (also enums, by name).</summary>
    String,

    /// <summary><c>true</c> or <c>false</c>.</summary>
    Bool,

    /// <summary>A bare integer.</summary>
    Integer,

    /// <summary><c>(dur "9s")</c> in s-expressions, <c>"9s"</c> in JSON.</summary>
    Duration,

    /// <summary>A list of quoted strings: <c>["a", "b"]</c> (read only, for the original's service-limit lists).</summary>
    StringList,

    /// <summary>A list of whole numbers: <c>[2, 0]</c> (read only).</summary>
    IntegerList,
}
