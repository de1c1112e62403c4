using System.Runtime.CompilerServices;
using System.Text;

namespace Rpc25519.SimNet.Tests;

/// <summary>
/// Runs the scenario scripts in testdata/: each block is a command line, a "----" line, and the expected output up to
/// a blank line. Set SIMNET_REWRITE=1 to rewrite the expected output from the actual one (review it as a diff).
/// </summary>
public sealed class ScriptTests
{
    public static TheoryData<string> Scripts()
    {
        var data = new TheoryData<string>();
        foreach (string path in Directory.GetFiles(TestDataDirectory(), "*.txt").Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(path));
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Scripts))]
    public void Script_output_matches(string script)
    {
        string path = Path.Combine(TestDataDirectory(), script);
        string[] lines = File.ReadAllLines(path);
        Assert.True(lines.Length > 0 && lines[0].StartsWith('#'),
            $"{script} must open with a comment on what it proves");
        var world = new ScriptWorld();
        var rewritten = new StringBuilder();
        var mismatches = new List<string>();
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i];
            rewritten.AppendLine(line);
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }
            string[] words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            string actual = world.Execute(words[0], words[1..]);
            Assert.True(i + 1 < lines.Length && lines[i + 1] == "----", $"{script}:{i + 1}: '----' must follow");
            int end = i + 2;
            while (end < lines.Length && lines[end].Length > 0)
            {
                end++;
            }
            string expected = string.Join('\n', lines[(i + 2)..end]);
            if (expected != actual)
            {
                mismatches.Add($"{script}:{i + 1} '{line}'\n  expected: {expected}\n  actual:   {actual}");
            }
            rewritten.AppendLine("----").AppendLine(actual);
            i = end - 1;
        }
        if (Environment.GetEnvironmentVariable("SIMNET_REWRITE") == "1")
        {
            File.WriteAllText(path, rewritten.ToString());
            return;
        }
        Assert.True(mismatches.Count == 0, string.Join('\n', mismatches));
    }

    private static string TestDataDirectory([CallerFilePath] string source = "") =>
        Path.Combine(Path.GetDirectoryName(source)!, "testdata");
}
