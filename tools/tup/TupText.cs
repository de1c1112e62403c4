using System.Globalization;
using System.Text;
using System.Text.Json;
using Rpc25519.Tube.StateMachines.Changes;
using Rpc25519.Tube.StateMachines.Kv;

namespace Rpc25519.Tools.Tup;

/// <summary>How tup shows keys, values and items: UTF-8 text when the bytes are valid UTF-8, else 0x-hex; JSON
/// objects with <c>value</c> (text) or <c>valueBase64</c>.</summary>
internal static class TupText
{
    private static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    public static string Show(byte[]? bytes)
    {
        if (bytes is null)
        {
            return "";
        }

        try
        {
            return Strict.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            return "0x" + Convert.ToHexString(bytes).ToLowerInvariant();
        }
    }

    public static Dictionary<string, object?> Json(string table, KvItem item)
    {
        var fields = new Dictionary<string, object?> { ["table"] = table, ["key"] = Show(item.Key) };
        AddValue(fields, item.Value);
        fields["version"] = item.Version;
        fields["createIndex"] = item.CreateIndex;
        fields["modifyIndex"] = item.ModifyIndex;
        if (item.LeaseSession != 0)
        {
            fields["leaseSession"] = item.LeaseSession;
            fields["leaseUntilMs"] = item.LeaseUntilMs;
            fields["fencingToken"] = item.FencingToken;
        }

        return fields;
    }

    public static Dictionary<string, object?> Json(ChangeEvent change)
    {
        var fields = new Dictionary<string, object?>
        {
            ["index"] = change.Index, ["kind"] = change.Kind.ToString().ToLowerInvariant(), ["table"] = change.Table,
            ["key"] = Show(change.Key), ["version"] = change.Version,
        };
        AddValue(fields, change.Value);
        return fields;
    }

    public static string Line(ChangeEvent change) =>
        $"{change.Index.ToString(CultureInfo.InvariantCulture)} {change.Kind.ToString().ToLowerInvariant()} " +
        $"{change.Table} {Show(change.Key)}" + (change.Value is null ? "" : " " + Show(change.Value));

    public static string Serialize(object? value) => JsonSerializer.Serialize(value);

    private static void AddValue(Dictionary<string, object?> fields, byte[]? value)
    {
        if (value is null)
        {
            return;
        }

        string shown = Show(value);
        if (shown.StartsWith("0x", StringComparison.Ordinal) && !IsText(value))
        {
            fields["valueBase64"] = Convert.ToBase64String(value);
        }
        else
        {
            fields["value"] = shown;
        }
    }

    private static bool IsText(byte[] value)
    {
        try
        {
            Strict.GetString(value);
            return true;
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
    }
}
