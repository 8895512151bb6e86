using System.CommandLine;

namespace Berth.Cli;

/// <summary>Options accepted by every command.</summary>
public static class GlobalOptions
{
    public static readonly Option<bool> Json = new("--json")
    {
        Description = "Print the server's JSON response instead of tables (for scripts)",
        Recursive = true,
    };
}
