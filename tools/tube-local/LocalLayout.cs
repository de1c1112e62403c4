namespace Rpc25519.Tools.TubeLocal;

/// <summary>Where tube-local keeps one local cluster: configs, logs, pid files and data under one directory.</summary>
internal sealed record LocalLayout(string Root)
{
    public static readonly string[] Names = ["node_0", "node_1", "node_2"];

    public static string DefaultRoot()
    {
        string? state = Environment.GetEnvironmentVariable("XDG_STATE_HOME");
        if (string.IsNullOrEmpty(state))
        {
            state = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "state");
        }

        return Path.Combine(state, "tube", "local");
    }

    public string Config(string name) => Path.Combine(Root, name + ".cfg");

    public string Log(string name) => Path.Combine(Root, name + ".log");

    public string PidFile(string name) => Path.Combine(Root, name + ".pid");

    public string Data(string name) => Path.Combine(Root, "data", name);
}
