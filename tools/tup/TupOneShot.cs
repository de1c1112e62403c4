using System.CommandLine;
using Rpc25519.Tube.Client;
using Rpc25519.Tube.StateMachines.Changes;
using Rpc25519.Tube.StateMachines.Kv;

namespace Rpc25519.Tools.Tup;

/// <summary>tup's one-shot commands for scripts: get, put, del, cas, range, prefix, tables, watch.</summary>
internal sealed class TupOneShot
{
    private readonly Option<string> table;
    private readonly Option<bool> json;
    private readonly Argument<string> key = new("KEY") { Description = "the key" };
    private readonly Argument<string> value = new("VALUE") { Description = "the value" };
    private readonly Option<string?> lease = new("--lease") { Description = "take a lease for this long, e.g. 10s" };
    private readonly Argument<string> expected = new("OLD") { Description = "the value the key must hold now" };
    private readonly Argument<string?> start = new("START") { Description = "first key (default: the first)", Arity = ArgumentArity.ZeroOrOne };
    private readonly Argument<string?> end = new("END") { Description = "end key, excluded (default: the last)", Arity = ArgumentArity.ZeroOrOne };
    private readonly Argument<string> prefixArgument = new("PREFIX") { Description = "the key prefix" };
    private readonly Option<bool> descending = new("--desc") { Description = "highest keys first" };
    private readonly Option<int> limit = new("--limit") { Description = "at most this many keys (0: all)" };
    private readonly Option<bool> watchPrefix = new("--prefix") { Description = "KEY is a prefix (empty: the whole table)" };
    private readonly Option<long> from = new("--from") { Description = "first log index (default: changes after now)" };
    private readonly Option<int> count = new("--count") { Description = "stop after this many changes (0: no limit)" };
    private readonly Option<string?> duration = new("--for") { Description = "stop after this long, e.g. 30s (default: until Ctrl-C)" };

    /// <summary>True after a write that took a lease: its session must live on (see <see cref="CloseSessionAsync"/>).</summary>
    private bool keepSession;

    public TupOneShot(Option<string> table, Option<bool> json)
    {
        this.table = table;
        this.json = json;
        All =
        [
            new Command("get", "print a key's value (exit 3 when absent)") { key },
            new Command("put", "write a key") { key, value, lease },
            new Command("del", "delete a key (exit 3 when absent)") { key },
            new Command("cas", "write NEW only if the key holds OLD now (exit 3 when it does not)") { key, expected, value },
            new Command("range", "list keys in [START, END) with their values") { start, end, descending, limit },
            new Command("prefix", "list the keys that start with PREFIX") { prefixArgument, descending, limit },
            new Command("tables", "list the tables"),
            new Command("watch", "print the changes of a key (or with --prefix, of keys with that prefix) as they " +
                "are committed") { key, watchPrefix, from, count, duration },
        ];
    }

    public IReadOnlyList<Command> All { get; }

    public async Task<int> RunAsync(ParseResult parsed, TubeClient client, TextWriter stdout, TextWriter stderr,
        CancellationToken stop)
    {
        try
        {
            return await RunCommandAsync(parsed, client, stdout, stderr, stop);
        }
        finally
        {
            if (client.SessionId != 0 && !keepSession)
            {
                await CloseSessionAsync(client, stderr);
            }
        }
    }

    private async Task<int> RunCommandAsync(ParseResult parsed, TubeClient client, TextWriter stdout,
        TextWriter stderr, CancellationToken stop)
    {
        string t = parsed.GetValue(table)!;
        bool asJson = parsed.GetValue(json);
        switch (parsed.CommandResult.Command.Name)
        {
            case "get":
            {
                string k = parsed.GetValue(key)!;
                KvItem? item = await client.GetAsync(t, TupText.Bytes(k), cancellationToken: stop);
                if (item is null)
                {
                    return await AbsentAsync(t, k, asJson, stdout, stderr);
                }

                await stdout.WriteLineAsync(asJson ? TupText.Serialize(TupText.Json(t, item)) : TupText.Show(item.Value));
                return ToolErrors.Ok;
            }

            case "put":
            {
                string k = parsed.GetValue(key)!;
                TimeSpan? leaseFor = parsed.GetValue(lease) is { } text ? Durations.Parse(text, "--lease") : null;
                KvItem item = await client.PutAsync(t, TupText.Bytes(k), TupText.Bytes(parsed.GetValue(value)!),
                    leaseFor, stop);
                await WriteItemAsync(stdout, t, k, item, asJson);
                keepSession = leaseFor is not null;
                return ToolErrors.Ok;
            }

            case "del":
            {
                string k = parsed.GetValue(key)!;
                KvItem? old = await client.DeleteAsync(t, TupText.Bytes(k), cancellationToken: stop);
                if (old is null)
                {
                    return await AbsentAsync(t, k, asJson, stdout, stderr);
                }

                await stdout.WriteLineAsync(asJson ? TupText.Serialize(TupText.Json(t, old)) : $"deleted {k}");
                return ToolErrors.Ok;
            }

            case "cas":
            {
                string k = parsed.GetValue(key)!;
                KvItem item = await client.CompareAndSwapAsync(t, TupText.Bytes(k),
                    TupText.Bytes(parsed.GetValue(value)!), TupText.Bytes(parsed.GetValue(expected)!),
                    cancellationToken: stop);
                await WriteItemAsync(stdout, t, k, item, asJson);
                return ToolErrors.Ok;
            }

            case "range":
            {
                byte[] first = TupText.Bytes(parsed.GetValue(start) ?? "");
                byte[]? last = parsed.GetValue(end) is { } e ? TupText.Bytes(e) : null;
                KvResult result = await client.RangeAsync(t, first, last, parsed.GetValue(limit),
                    parsed.GetValue(descending), cancellationToken: stop);
                await WriteItemsAsync(stdout, t, result, asJson);
                return ToolErrors.Ok;
            }

            case "prefix":
            {
                KvResult result = await client.PrefixScanAsync(t, TupText.Bytes(parsed.GetValue(prefixArgument)!),
                    parsed.GetValue(limit), parsed.GetValue(descending), cancellationToken: stop);
                await WriteItemsAsync(stdout, t, result, asJson);
                return ToolErrors.Ok;
            }

            case "tables":
            {
                IReadOnlyList<string> tables = await client.ListTablesAsync(cancellationToken: stop);
                await stdout.WriteLineAsync(asJson ? TupText.Serialize(tables) : string.Join(Environment.NewLine, tables));
                return ToolErrors.Ok;
            }

            default:
                return await WatchAsync(parsed, client, t, asJson, stdout, stop);
        }
    }

    private async Task<int> WatchAsync(ParseResult parsed, TubeClient client, string t, bool asJson,
        TextWriter stdout, CancellationToken stop)
    {
        string k = parsed.GetValue(key)!;
        bool isPrefix = parsed.GetValue(watchPrefix);
        if (!isPrefix && k.Length == 0)
        {
            throw new UsageException("watch needs a non-empty KEY, or --prefix (an empty prefix watches the table)");
        }

        long fromIndex = parsed.GetValue(from);
        if (fromIndex <= 0)
        {
            fromIndex = (await client.GetStatusAsync(cancellationToken: stop)).CommitIndex + 1;
        }

        int most = parsed.GetValue(count);
        using var until = CancellationTokenSource.CreateLinkedTokenSource(stop);
        if (parsed.GetValue(duration) is { } text)
        {
            until.CancelAfter(Durations.Parse(text, "--for"));
        }

        int seen = 0;
        try
        {
            await foreach (ChangeEvent change in client.WatchAsync(t, TupText.Bytes(k), fromIndex, isPrefix, until.Token))
            {
                await stdout.WriteLineAsync(asJson ? TupText.Serialize(TupText.Json(change)) : TupText.Line(change));
                await stdout.FlushAsync(CancellationToken.None);
                if (most > 0 && ++seen >= most)
                {
                    break;
                }
            }
        }
        catch (OperationCanceledException) when (until.IsCancellationRequested)
        {
            // --for ran out, or Ctrl-C: a watch that ends on request succeeded.
        }

        return ToolErrors.Ok;
    }

    /// <summary>A one-shot write ends its session at once, so scripts that call tup in a loop leave no sessions
    /// behind to expire. A write with a lease keeps it: the lease lives in the session (its timeout covers the lease).
    /// Failing to close is reported and harmless: the session expires by itself.</summary>
    private static async Task CloseSessionAsync(TubeClient client, TextWriter stderr)
    {
        try
        {
            await client.CloseSessionAsync(CancellationToken.None); // bounded by the client's -timeout
        }
        catch (Rpc25519.Tube.StateMachines.Errors.TubeException e)
        {
            await stderr.WriteLineAsync($"tup: note: the write is done, but its session was not closed (it expires " +
                $"by itself): {e.Message}");
        }
    }

    private static async Task<int> AbsentAsync(string t, string k, bool asJson, TextWriter stdout, TextWriter stderr)
    {
        if (asJson)
        {
            await stdout.WriteLineAsync(TupText.Serialize(new Dictionary<string, object?>
            {
                ["table"] = t, ["key"] = k, ["found"] = false,
            }));
        }

        await stderr.WriteLineAsync($"tup: key '{k}' not found in table '{t}'");
        return ToolErrors.NotFound;
    }

    private static Task WriteItemAsync(TextWriter stdout, string t, string k, KvItem item, bool asJson)
    {
        if (!asJson)
        {
            return stdout.WriteLineAsync($"ok {k} version {item.Version} index {item.ModifyIndex}");
        }

        Dictionary<string, object?> fields = TupText.Json(t, item);
        fields["key"] = k;
        return stdout.WriteLineAsync(TupText.Serialize(fields));
    }

    private static async Task WriteItemsAsync(TextWriter stdout, string t, KvResult result, bool asJson)
    {
        foreach (KvItem item in result.Items ?? [])
        {
            await stdout.WriteLineAsync(asJson
                ? TupText.Serialize(TupText.Json(t, item))
                : $"{TupText.Show(item.Key)} {TupText.Show(item.Value)}");
        }
    }
}
