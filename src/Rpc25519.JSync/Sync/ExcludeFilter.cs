using System.Text;
using System.Text.RegularExpressions;

namespace Rpc25519.JSync.Sync;

/// <summary>
/// rsync-like exclude patterns. <c>*</c> matches within one path segment, <c>**</c> across segments, <c>?</c> one
/// character. A pattern without '/' matches an entry's name at any depth ("*.o", ".git"); a pattern with '/' matches the
/// whole relative path ("build/out", "/top-only"; a leading '/' only anchors); a trailing '/' matches only directories.
/// An excluded directory is skipped with everything under it, on both sides (so it is never deleted either).
/// </summary>
public sealed class ExcludeFilter
{
    private readonly List<(Regex Regex, bool MatchName, bool DirectoriesOnly)> _rules = [];

    /// <summary>A filter that excludes nothing.</summary>
    public static ExcludeFilter None { get; } = new([]);

    /// <summary>Compiles the patterns.</summary>
    /// <exception cref="ArgumentException">A pattern is empty.</exception>
    public ExcludeFilter(IEnumerable<string> patterns)
    {
        foreach (string raw in patterns)
        {
            string pattern = raw;
            if (pattern.Trim().Length == 0)
            {
                throw new ArgumentException("An exclude pattern is empty; give a glob such as '*.tmp' or 'build/'.", nameof(patterns));
            }
            bool directoriesOnly = pattern.EndsWith('/');
            pattern = pattern.TrimEnd('/');
            bool anchored = pattern.StartsWith('/');
            pattern = pattern.TrimStart('/');
            bool matchName = !anchored && !pattern.Contains('/');
            _rules.Add((new Regex(ToRegex(pattern), RegexOptions.CultureInvariant), matchName, directoriesOnly));
        }
    }

    /// <summary>True when the entry at <paramref name="relativePath"/> is excluded.</summary>
    public bool IsExcluded(string relativePath, bool isDirectory)
    {
        if (relativePath.Length == 0)
        {
            return false;
        }
        string name = relativePath[(relativePath.LastIndexOf('/') + 1)..];
        foreach (var (regex, matchName, directoriesOnly) in _rules)
        {
            if (directoriesOnly && !isDirectory)
            {
                continue;
            }
            if (regex.IsMatch(matchName ? name : relativePath))
            {
                return true;
            }
        }
        return false;
    }

    private static string ToRegex(string glob)
    {
        var sb = new StringBuilder("^");
        for (int i = 0; i < glob.Length; i++)
        {
            char c = glob[i];
            if (c == '*' && i + 1 < glob.Length && glob[i + 1] == '*')
            {
                sb.Append(".*");
                i++;
            }
            else if (c == '*')
            {
                sb.Append("[^/]*");
            }
            else if (c == '?')
            {
                sb.Append("[^/]");
            }
            else
            {
                sb.Append(Regex.Escape(c.ToString()));
            }
        }
        return sb.Append('$').ToString();
    }
}
