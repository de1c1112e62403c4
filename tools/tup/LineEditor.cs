using System.Text;

namespace Rpc25519.Tools.Tup;

/// <summary>
/// Reads tup's input lines. On a terminal: a small editor on <see cref="Console.ReadKey(bool)"/> (left/right,
/// home/end and Ctrl-A/Ctrl-E, backspace/delete, Ctrl-U, up/down through the history, Ctrl-C clears the line, Ctrl-D
/// on an empty line ends)
/// whose history is kept in <c>$XDG_STATE_HOME/tube/tup_history</c> (~/.local/state/tube/tup_history, last
/// <see cref="HistoryMax"/> lines). Otherwise (a pipe, a file, a test) plain lines with no prompt.
/// </summary>
internal abstract class LineEditor
{
    public const int HistoryMax = 1000;

    /// <summary>Whether prompts are shown (a terminal).</summary>
    public abstract bool Interactive { get; }

    /// <summary>The next line, or null at the end of input (Ctrl-D).</summary>
    public abstract string? ReadLine(string prompt);

    public static LineEditor Create(TextReader stdin, TextWriter stdout) =>
        ReferenceEquals(stdin, Console.In) && !Console.IsInputRedirected && !Console.IsOutputRedirected
            ? new TerminalEditor(HistoryPath())
            : new PlainReader(stdin);

    private static string HistoryPath()
    {
        string? state = Environment.GetEnvironmentVariable("XDG_STATE_HOME");
        if (string.IsNullOrEmpty(state))
        {
            state = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "state");
        }

        return Path.Combine(state, "tube", "tup_history");
    }

    private sealed class PlainReader(TextReader reader) : LineEditor
    {
        public override bool Interactive => false;

        public override string? ReadLine(string prompt) => reader.ReadLine();
    }

    private sealed class TerminalEditor : LineEditor
    {
        private readonly string historyPath;
        private readonly List<string> history;

        public TerminalEditor(string historyPath)
        {
            this.historyPath = historyPath;
            history = File.Exists(historyPath) ? [.. File.ReadAllLines(historyPath).TakeLast(HistoryMax)] : [];
        }

        public override bool Interactive => true;

        public override string? ReadLine(string prompt)
        {
            // While a line is edited, Ctrl-C clears it (as in a shell) instead of stopping tup; while a command runs,
            // Ctrl-C stops tup through StopSignals.
            bool treatControlC = Console.TreatControlCAsInput;
            Console.TreatControlCAsInput = true;
            try
            {
                return Edit(prompt);
            }
            finally
            {
                Console.TreatControlCAsInput = treatControlC;
            }
        }

        private string? Edit(string prompt)
        {
            var line = new StringBuilder();
            int cursor = 0;
            int recalled = history.Count;
            Console.Write(prompt);
            while (true)
            {
                ConsoleKeyInfo key = Console.ReadKey(intercept: true);
                bool control = (key.Modifiers & ConsoleModifiers.Control) != 0;
                switch (key.Key)
                {
                    case ConsoleKey.Enter:
                        Console.WriteLine();
                        Remember(line.ToString());
                        return line.ToString();
                    case ConsoleKey.D when control && line.Length == 0:
                        Console.WriteLine();
                        return null;
                    case ConsoleKey.C when control:
                        Console.WriteLine("^C");
                        line.Clear();
                        cursor = 0;
                        break;
                    case ConsoleKey.Backspace when cursor > 0:
                        line.Remove(--cursor, 1);
                        break;
                    case ConsoleKey.Delete when cursor < line.Length:
                    case ConsoleKey.D when control && cursor < line.Length:
                        line.Remove(cursor, 1);
                        break;
                    case ConsoleKey.LeftArrow when cursor > 0:
                    case ConsoleKey.B when control && cursor > 0:
                        cursor--;
                        break;
                    case ConsoleKey.RightArrow when cursor < line.Length:
                    case ConsoleKey.F when control && cursor < line.Length:
                        cursor++;
                        break;
                    case ConsoleKey.Home:
                    case ConsoleKey.A when control:
                        cursor = 0;
                        break;
                    case ConsoleKey.End:
                    case ConsoleKey.E when control:
                        cursor = line.Length;
                        break;
                    case ConsoleKey.U when control:
                        line.Remove(0, cursor);
                        cursor = 0;
                        break;
                    case ConsoleKey.UpArrow when recalled > 0:
                    case ConsoleKey.P when control && recalled > 0:
                        Recall(line, --recalled, out cursor);
                        break;
                    case ConsoleKey.DownArrow when recalled < history.Count:
                    case ConsoleKey.N when control && recalled < history.Count:
                        recalled++;
                        Recall(line, recalled, out cursor);
                        break;
                    default:
                        if (!char.IsControl(key.KeyChar))
                        {
                            line.Insert(cursor++, key.KeyChar);
                        }

                        break;
                }

                Redraw(prompt, line, cursor);
            }
        }

        private void Recall(StringBuilder line, int index, out int cursor)
        {
            line.Clear();
            if (index < history.Count)
            {
                line.Append(history[index]);
            }

            cursor = line.Length;
        }

        private static void Redraw(string prompt, StringBuilder line, int cursor)
        {
            // Back to the line's start, rewrite it, clear what is left of the old text, then put the cursor back.
            Console.Write("\r" + prompt + line + "\u001b[K");
            int back = line.Length - cursor;
            if (back > 0)
            {
                Console.Write($"\u001b[{back}D");
            }
        }

        private void Remember(string line)
        {
            if (line.Trim().Length == 0 || (history.Count > 0 && history[^1] == line))
            {
                return;
            }

            history.Add(line);
            try
            {
                Directory.CreateDirectory(Path.GetDirectoryName(historyPath)!);
                File.AppendAllLines(historyPath, [line]);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"tup: cannot save history to {historyPath}: {e.Message}");
            }
        }
    }
}
