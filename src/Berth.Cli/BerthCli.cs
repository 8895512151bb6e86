using System.CommandLine;
using Berth.Cli.Commands;

namespace Berth.Cli;

/// <summary>Builds the <c>berth</c> command tree and runs it.</summary>
public static class BerthCli
{
    /// <summary>Exit code for usage errors reported by the command-line parser.</summary>
    public const int UsageErrorExitCode = 2;

    public static async Task<int> RunAsync(string[] args)
    {
        // `berth serve …` hands every following argument, untouched, to the ASP.NET Core host, so host options
        // such as `--urls` or `--Berth:DataDir=x` never meet the command-line parser. Only `berth serve --help`
        // goes through the parser, to print the command's help.
        if (args.Length > 0 && args[0] == "serve" && !(args.Length == 2 && args[1] is "--help" or "-h" or "-?"))
        {
            return await BerthServer.RunAsync(args[1..]);
        }

        var parseResult = BuildRootCommand().Parse(args);
        var exitCode = await parseResult.InvokeAsync();
        return parseResult.Errors.Count > 0 ? UsageErrorExitCode : exitCode;
    }

    /// <summary>The command tree. A new noun is one <c>Add</c> here; a new verb is one method in its noun's file.</summary>
    public static RootCommand BuildRootCommand()
    {
        var root = new RootCommand("Berth: a multi-tenant OCI container registry.")
        {
            GlobalOptions.Json,
            ServeCommand(),
            LoginCommand.Create(),
            ProjectCommands.Create(),
            RegistryCommands.Create(),
            RepositoryCommands.Create(),
            TagCommands.Create(),
            ManifestCommands.Create(),
            DeletedCommands.Create(),
            MemberCommands.Create(),
            UserCommands.Create(),
            TokenCommands.Create(),
            FederationCommands.Create(),
            ImmutabilityCommands.Create(),
            ScanCommands.Create(),
            VulnDbCommands.Create(),
            ThrottleCommands.Create(),
        };
        return root;
    }

    private static Command ServeCommand()
    {
        var command = new Command(
            "serve",
            "Run the server; all further arguments go unchanged to the ASP.NET Core host (e.g. --urls http://0.0.0.0:5000)")
        {
            TreatUnmatchedTokensAsErrors = false,
        };
        // Normally unreachable (RunAsync short-circuits `serve`); kept for forms like `berth --json serve …`.
        command.SetAction((parseResult, _) => BerthServer.RunAsync([.. parseResult.UnmatchedTokens]));
        return command;
    }
}
