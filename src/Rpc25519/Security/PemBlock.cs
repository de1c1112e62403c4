using System.Text;

namespace Rpc25519.Security;

/// <summary>One PEM block: a label, optional <c>Name: value</c> headers and the decoded body.</summary>
internal sealed record PemBlock(string Label, IReadOnlyList<KeyValuePair<string, string>> Headers, byte[] Body)
{
    /// <summary>Reads every PEM block of <paramref name="text"/>, in order.</summary>
    /// <exception cref="FormatException">A block is not closed or its body is not base64.</exception>
    public static List<PemBlock> ParseAll(string text)
    {
        var blocks = new List<PemBlock>();
        string[] lines = text.Replace("\r", "", StringComparison.Ordinal).Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i].Trim();
            if (!line.StartsWith("-----BEGIN ", StringComparison.Ordinal) || !line.EndsWith("-----",
                StringComparison.Ordinal))
            {
                continue;
            }
            string label = line["-----BEGIN ".Length..^5];
            var headers = new List<KeyValuePair<string, string>>();
            var body = new StringBuilder();
            int j = i + 1;
            for (; j < lines.Length && !lines[j].Trim().StartsWith("-----END ", StringComparison.Ordinal); j++)
            {
                string l = lines[j].Trim();
                int colon = l.IndexOf(':', StringComparison.Ordinal);
                if (colon > 0 && body.Length == 0)
                {
                    headers.Add(new(l[..colon].Trim(), l[(colon + 1)..].Trim()));
                }
                else
                {
                    body.Append(l);
                }
            }
            if (j >= lines.Length)
            {
                throw new FormatException($"PEM block '{label}' has no END line.");
            }
            blocks.Add(new PemBlock(label, headers, Convert.FromBase64String(body.ToString())));
            i = j;
        }
        return blocks;
    }

    /// <summary>Finds a header's value, or null.</summary>
    public string? Header(string name) =>
        Headers.FirstOrDefault(h => string.Equals(h.Key, name, StringComparison.Ordinal)).Value;

    /// <summary>Formats the block with 64-column base64 lines.</summary>
    public string Encode()
    {
        var sb = new StringBuilder();
        sb.Append("-----BEGIN ").Append(Label).Append("-----\n");
        foreach (KeyValuePair<string, string> header in Headers)
        {
            sb.Append(header.Key).Append(": ").Append(header.Value).Append('\n');
        }
        if (Headers.Count > 0)
        {
            sb.Append('\n');
        }
        string b64 = Convert.ToBase64String(Body);
        for (int i = 0; i < b64.Length; i += 64)
        {
            sb.Append(b64, i, Math.Min(64, b64.Length - i)).Append('\n');
        }
        sb.Append("-----END ").Append(Label).Append("-----\n");
        return sb.ToString();
    }
}
