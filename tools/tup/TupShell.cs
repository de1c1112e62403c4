using Rpc25519.Tube.Client;
using Rpc25519.Tube.Hosting;
using Rpc25519.Tube.StateMachines.Errors;
using Rpc25519.Tube.StateMachines.Kv;

namespace Rpc25519.Tools.Tup;

/// <summary>tup's interactive commands, the original's (docs/tube-tools.md lists them). Each line is one command;
/// an error is printed and the shell goes on. The prompt shows the leader and the current table.</summary>
internal sealed class TupShell(TubeClient client, TubeTarget target, string table, TextWriter stdout)
{
    private const string Help = """
        ,,                      all keys and values of the current table
        .key  or  key           read a key (bare key when it is not a command word)
        !key value              write
        &10s key value          write with a 10 s lease
        @table key value        write into another table
        ,table key              read from another table
        +[table] [key] [end]    keys in ascending order, from key up to end (excluded); + alone: the current table
        -[table] [key] [end]    the same, descending
        ^prefix [table]         keys that start with prefix
        del key                 delete a key
        cas key old new         write new only if the key holds old
        show  /  show table     list the tables / the keys of a table
        ls                      list the keys of the current table
        use table               switch the current table
        newtable t / rmtable t  create / drop a table
        mv old new              rename a table
        help, quit (or Ctrl-D)
        """;

    private static readonly HashSet<string> Keywords =
        ["cas", "newtable", "rmtable", "use", "mv", "ls", "show", "del", "help", "quit", "exit"];

    private string current = table;

    public async Task<int> RunAsync(LineEditor editor, CancellationToken stop)
    {
        if (editor.Interactive)
        {
            await stdout.WriteLineAsync("tup: the Tube shell; type help for the commands, Ctrl-D to leave");
        }

        while (!stop.IsCancellationRequested)
        {
            string prompt = editor.Interactive ? await PromptAsync(stop) : "";
            string? line = editor.ReadLine(prompt);
            if (line is null)
            {
                break;
            }

            line = line.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            if (line is "quit" or "exit")
            {
                break;
            }

            try
            {
                await ExecuteAsync(line, stop);
            }
            catch (Exception e) when (e is TubeException or RpcException or UsageException)
            {
                await stdout.WriteLineAsync($"error: {e.Message}");
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                break; // Ctrl-C or SIGTERM: leave the shell
            }
        }

        return ToolErrors.Ok;
    }

    private async Task<string> PromptAsync(CancellationToken stop)
    {
        try
        {
            TubeStatus status = await client.GetStatusAsync(cancellationToken: stop);
            string leader = status.LeaderId == 0 ? "no leader" : target.NameOf(status.LeaderId) + " connected";
            return $"[{leader}](table '{current}') > ";
        }
        catch (Exception e) when (e is TubeException or RpcException
                                      || (e is OperationCanceledException && stop.IsCancellationRequested))
        {
            return $"[not connected](table '{current}') > ";
        }
    }

    private async Task ExecuteAsync(string line, CancellationToken stop)
    {
        string[] words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        string first = words[0];
        switch (first[0])
        {
            case '.' when first.Length > 1:
                await ReadAsync(current, first[1..], stop);
                return;
            case '!' when first.Length > 1:
                await WriteAsync(current, first[1..], Rest(line, 1), null, stop);
                return;
            case '&':
                Need(words, 3, "&10s key value");
                await WriteAsync(current, words[1], Rest(line, 2), Durations.Parse(first[1..], "lease"), stop);
                return;
            case '@' when first.Length > 1:
                Need(words, 2, "@table key value");
                await WriteAsync(first[1..], words[1], Rest(line, 2), null, stop);
                return;
            case ',' when first == ",,":
                await RangeAsync(current, [], false, stop);
                return;
            case ',' when first.Length > 1:
                Need(words, 2, ",table key");
                await ReadAsync(first[1..], words[1], stop);
                return;
            case '+' or '-':
                await RangeAsync(first.Length > 1 ? first[1..] : current, words[1..], first[0] == '-', stop);
                return;
            case '^' when first.Length > 1:
                await PrefixAsync(words.Length > 1 ? words[1] : current, first[1..], stop);
                return;
        }

        await KeywordAsync(line, words, stop);
    }

    private async Task KeywordAsync(string line, string[] words, CancellationToken stop)
    {
        switch (words[0])
        {
            case "help" or "?":
                await stdout.WriteLineAsync(Help);
                break;
            case "del":
                Need(words, 2, "del key");
                KvItem? old = await client.DeleteAsync(current, TupText.Bytes(words[1]), cancellationToken: stop);
                await stdout.WriteLineAsync(old is null ? $"{words[1]}: absent" : $"deleted {words[1]}");
                break;
            case "cas":
                Need(words, 4, "cas key old new");
                KvItem swapped = await client.CompareAndSwapAsync(current, TupText.Bytes(words[1]),
                    TupText.Bytes(Rest(line, 3)), TupText.Bytes(words[2]), cancellationToken: stop);
                await stdout.WriteLineAsync($"ok {words[1]} version {swapped.Version}");
                break;
            case "show" when words.Length == 1:
                await stdout.WriteLineAsync(string.Join(Environment.NewLine,
                    await client.ListTablesAsync(cancellationToken: stop)));
                break;
            case "show":
                await KeysAsync(words[1], stop);
                break;
            case "ls":
                await KeysAsync(current, stop);
                break;
            case "use":
                Need(words, 2, "use table");
                current = words[1];
                await stdout.WriteLineAsync($"table '{current}'");
                break;
            case "newtable":
                Need(words, 2, "newtable t");
                await client.CreateTableAsync(words[1], stop);
                await stdout.WriteLineAsync($"created table '{words[1]}'");
                break;
            case "rmtable":
                Need(words, 2, "rmtable t");
                await client.DropTableAsync(words[1], stop);
                await stdout.WriteLineAsync($"dropped table '{words[1]}'");
                break;
            case "mv":
                Need(words, 3, "mv old new");
                await client.RenameTableAsync(words[1], words[2], stop);
                current = current == words[1] ? words[2] : current;
                await stdout.WriteLineAsync($"renamed table '{words[1]}' to '{words[2]}'");
                break;
            default:
                if (words.Length == 1 && !Keywords.Contains(words[0]))
                {
                    await ReadAsync(current, words[0], stop);
                    break;
                }

                throw new UsageException($"unknown command '{words[0]}'; type help");
        }
    }

    private async Task ReadAsync(string inTable, string key, CancellationToken stop)
    {
        KvItem? item = await client.GetAsync(inTable, TupText.Bytes(key), cancellationToken: stop);
        await stdout.WriteLineAsync(item is null ? $"{key}: absent" : TupText.Show(item.Value));
    }

    private async Task WriteAsync(string inTable, string key, string value, TimeSpan? lease, CancellationToken stop)
    {
        KvItem item = await client.PutAsync(inTable, TupText.Bytes(key), TupText.Bytes(value), lease, stop);
        await stdout.WriteLineAsync($"ok {key} version {item.Version}" +
            (lease is { } l ? $" leased for {l.TotalSeconds:0.###} s" : ""));
    }

    private async Task RangeAsync(string inTable, string[] bounds, bool descending, CancellationToken stop)
    {
        byte[] start = bounds.Length > 0 ? TupText.Bytes(bounds[0]) : [];
        byte[]? end = bounds.Length > 1 ? TupText.Bytes(bounds[1]) : null;
        KvResult result = await client.RangeAsync(inTable, start, end, descending: descending, cancellationToken: stop);
        await PrintItemsAsync(result);
    }

    private async Task PrefixAsync(string inTable, string prefix, CancellationToken stop) =>
        await PrintItemsAsync(await client.PrefixScanAsync(inTable, TupText.Bytes(prefix), cancellationToken: stop));

    private async Task KeysAsync(string inTable, CancellationToken stop)
    {
        KvResult result = await client.ListKeysAsync(inTable, cancellationToken: stop);
        foreach (byte[] key in result.Keys ?? [])
        {
            await stdout.WriteLineAsync(TupText.Show(key));
        }
    }

    private async Task PrintItemsAsync(KvResult result)
    {
        foreach (KvItem item in result.Items ?? [])
        {
            await stdout.WriteLineAsync($"{TupText.Show(item.Key)} {TupText.Show(item.Value)}");
        }

        if ((result.Items ?? []).Count == 0)
        {
            await stdout.WriteLineAsync("(no keys)");
        }
    }

    /// <summary>The text after the first <paramref name="words"/> words of the line (values may hold spaces).</summary>
    private static string Rest(string line, int words)
    {
        string rest = line;
        for (int i = 0; i < words; i++)
        {
            int space = rest.IndexOf(' ');
            if (space < 0)
            {
                throw new UsageException($"'{line}' needs a value after the key; type help");
            }

            rest = rest[(space + 1)..].TrimStart();
        }

        return rest;
    }

    private static void Need(string[] words, int count, string usage)
    {
        if (words.Length < count)
        {
            throw new UsageException($"usage: {usage}");
        }
    }
}
