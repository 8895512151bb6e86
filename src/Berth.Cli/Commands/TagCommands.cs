using System.CommandLine;

namespace Berth.Cli.Commands;

/// <summary><c>berth tag …</c>: tags of images, named <c>REGISTRY/REPOSITORY:TAG</c>.</summary>
public static class TagCommands
{
    public static Command Create() => new("tag", "Manage tags") { DeleteCommand() };

    private static Command DeleteCommand()
    {
        var image = new Argument<string>("image") { Description = "REGISTRY/REPOSITORY:TAG, e.g. shop-prod/api/web:1.4" };
        var yes = new Option<bool>("--yes", "-y") { Description = "Delete without asking; required when standard input is not a terminal" };
        var command = new Command("delete", "Delete a tag; the image stays, reachable by its digest") { image, yes };
        command.Aliases.Add("rm");
        command.SetApiAction(async ctx =>
        {
            var text = ctx.Get(image);
            var (registry, repository, tag) = ScanCommands.ParseImage(text);
            if (tag.StartsWith("sha256:", StringComparison.Ordinal) || !text.Contains(':', StringComparison.Ordinal))
            {
                throw new CliException($"'{text}' names no tag: expected REGISTRY/REPOSITORY:TAG (`berth manifest delete` deletes by digest)")
                {
                    ExitCode = BerthCli.UsageErrorExitCode,
                };
            }

            await Prompt.RequireYesAsync(ctx.Output.Error, ctx.Get(yes), $"Delete tag {text}?", $"not deleting tag {text}", ctx.CancellationToken);
            await ctx.Api.DeleteTagAsync(registry, repository, tag, ctx.CancellationToken);
            if (!ctx.Output.Json)
            {
                await ctx.Output.Out.WriteLineAsync($"Deleted tag {text}.");
            }
        });
        return command;
    }
}
