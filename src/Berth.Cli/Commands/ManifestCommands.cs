using System.CommandLine;

namespace Berth.Cli.Commands;

/// <summary><c>berth manifest …</c>: images by digest, named <c>REGISTRY/REPOSITORY@DIGEST</c>.</summary>
public static class ManifestCommands
{
    public static Command Create() => new("manifest", "Manage manifests (images by digest)") { DeleteCommand() };

    private static Command DeleteCommand()
    {
        var image = new Argument<string>("image") { Description = "REGISTRY/REPOSITORY@DIGEST, e.g. shop-prod/api/web@sha256:…" };
        var yes = new Option<bool>("--yes", "-y") { Description = "Delete without asking; required when standard input is not a terminal" };
        var command = new Command("delete", "Delete a manifest and every tag pointing to it; frees the storage only it used") { image, yes };
        command.Aliases.Add("rm");
        command.SetApiAction(async ctx =>
        {
            var text = ctx.Get(image);
            var (registry, repository, digest) = ScanCommands.ParseImage(text);
            if (!text.Contains('@', StringComparison.Ordinal))
            {
                throw new CliException($"'{text}' names no digest: expected REGISTRY/REPOSITORY@DIGEST (`berth tag delete` deletes a tag)")
                {
                    ExitCode = BerthCli.UsageErrorExitCode,
                };
            }

            await Prompt.RequireYesAsync(ctx.Output.Error, ctx.Get(yes), $"Delete manifest {text} and its tags?", $"not deleting manifest {text}", ctx.CancellationToken);
            await ctx.Api.DeleteManifestAsync(registry, repository, digest, ctx.CancellationToken);
            if (!ctx.Output.Json)
            {
                await ctx.Output.Out.WriteLineAsync($"Deleted manifest {text} and its tags.");
            }
        });
        return command;
    }
}
