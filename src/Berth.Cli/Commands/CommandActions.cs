using System.CommandLine;

namespace Berth.Cli.Commands;

/// <summary>Wires verb actions to config resolution and uniform error reporting.</summary>
public static class CommandActions
{
    /// <summary>
    /// Sets an action that talks to the management API with the resolved config (<see cref="CliConfig.Resolve"/>).
    /// Adding a verb: declare its arguments/options, then <c>command.SetApiAction(async ctx => …)</c>.
    /// </summary>
    public static void SetApiAction(this Command command, Func<ApiContext, Task> action) =>
        command.SetCliAction(async (parseResult, output, cancellationToken) =>
        {
            using var api = new ApiClient(CliConfig.Resolve());
            await action(new ApiContext(parseResult, api, output, cancellationToken));
        });

    /// <summary>
    /// Sets an action with uniform error handling: <see cref="CliException"/> (API errors, unreachable server,
    /// missing login) prints <c>error: …</c> to stderr and exits 1; Ctrl+C exits 130.
    /// </summary>
    public static void SetCliAction(
        this Command command, Func<ParseResult, Output, CancellationToken, Task> action) =>
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var configuration = parseResult.InvocationConfiguration;
            var output = new Output(parseResult.GetValue(GlobalOptions.Json), configuration.Output, configuration.Error);
            try
            {
                await action(parseResult, output, cancellationToken);
                return 0;
            }
            catch (CliException e)
            {
                await output.Error.WriteLineAsync($"error: {e.Message}");
                return e.ExitCode;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return 130;
            }
        });
}
