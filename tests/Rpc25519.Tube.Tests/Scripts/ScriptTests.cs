using System.Runtime.CompilerServices;
using System.Text;

namespace Rpc25519.Tube.Tests.Scripts;

/// <summary>
/// Data-driven scenarios in <c>testdata/*.txt</c>, in the style of etcd's interaction tests. A file is a list of
/// blocks: a command line, a <c>----</c> line, the expected output, then a blank line. Lines starting with <c>#</c>
/// are comments; each file opens with one saying what it proves. Set TUBE_REWRITE=1 to rewrite the expected output
/// from the actual one, then review the diff.
/// </summary>
public sealed class ScriptTests
{
    public static TheoryData<string> Scripts()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(TestDataDirectory(), "*.txt").Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(file));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Scripts))]
    public void ScriptProducesTheExpectedOutput(string name)
    {
        string path = Path.Combine(TestDataDirectory(), name);
        var lines = File.ReadAllLines(path);
        var runner = new ScriptRunner();
        var rewritten = new StringBuilder();
        var mismatches = new List<string>();
        int i = 0;
        while (i < lines.Length)
        {
            string line = lines[i++];
            if (line.Length == 0 || line.StartsWith('#'))
            {
                rewritten.Append(line).Append('\n');
                continue;
            }

            if (i >= lines.Length || lines[i] != "----")
            {
                throw new InvalidOperationException($"{name}:{i}: expected ---- after '{line}'");
            }

            i++;
            var expected = new List<string>();
            while (i < lines.Length && lines[i].Length > 0)
            {
                expected.Add(lines[i++]);
            }

            string actual = Run(runner, line);
            if (actual != string.Join('\n', expected))
            {
                mismatches.Add($"{name}: '{line}'\nexpected:\n{string.Join('\n', expected)}\nactual:\n{actual}");
            }

            rewritten.Append(line).Append("\n----\n").Append(actual).Append('\n');
        }

        if (Environment.GetEnvironmentVariable("TUBE_REWRITE") == "1")
        {
            File.WriteAllText(path, rewritten.ToString());
            return;
        }

        Assert.True(mismatches.Count == 0, string.Join("\n\n", mismatches));
    }

    private static string Run(ScriptRunner runner, string line)
    {
        var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var named = words.Skip(1).Where(w => w.Contains('='))
            .ToDictionary(w => w[..w.IndexOf('=')], w => w[(w.IndexOf('=') + 1)..]);
        var positional = words.Skip(1).Where(w => !w.Contains('=')).ToList();
        return runner.Execute(words[0], named, positional);
    }

    private static string TestDataDirectory([CallerFilePath] string source = "") =>
        Path.Combine(Path.GetDirectoryName(Path.GetDirectoryName(source))!, "testdata");
}
