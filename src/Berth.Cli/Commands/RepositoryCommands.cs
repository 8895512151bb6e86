using System.CommandLine;

namespace Berth.Cli.Commands;

/// <summary><c>berth repository …</c>: the repositories of a registry, named <c>REGISTRY/REPOSITORY</c>.</summary>
public static class RepositoryCommands
{
    public static Command Create()
    {
        var command = new Command("repository", "Manage repositories") { DeleteCommand() };
        command.Aliases.Add("repo");
        return command;
    }

    private static Command DeleteCommand()
    {
        var name = new Argument<string>("repository") { Description = "REGISTRY/REPOSITORY, e.g. shop-prod/api/web" };
        var confirm = new Option<string?>("--confirm")
        {
            Description = "REGISTRY/REPOSITORY once more, to delete without the prompt (scripts can also pipe it to stdin)",
        };
        var command = new Command("delete", "Delete a repository with all its tags and manifests, irreversibly") { name, confirm };
        command.Aliases.Add("rm");
        command.SetApiAction(async ctx =>
        {
            var full = ctx.Get(name);
            var slash = full.IndexOf('/', StringComparison.Ordinal);
            if (slash <= 0 || slash == full.Length - 1 || full.IndexOfAny([':', '@']) >= 0)
            {
                throw new CliException($"'{full}' is not REGISTRY/REPOSITORY") { ExitCode = BerthCli.UsageErrorExitCode };
            }

            var (registry, repository) = (full[..slash], full[(slash + 1)..]);
            // Its counts for the summary, found by searching for its name (a registry may hold thousands); one that
            // isn't listed still gets the question, and the server answers 404 if it does not exist.
            var found = (await ctx.Api.SearchRepositoriesAsync(registry, repository, ctx.CancellationToken)).Value.FirstOrDefault(r => r.Name == repository);
            var info = ctx.Output.Json ? ctx.Output.Error : ctx.Output.Out;
            await info.WriteLineAsync(found is null
                ? $"Deleting repository {full} permanently removes all its tags and manifests. This cannot be undone."
                : $"Deleting repository {full} permanently removes {Format.Count(found.TagCount, "tag", "tags")} and "
                    + $"{Format.Count(found.ArtifactCount, "manifest", "manifests")} ({Format.Bytes(found.SizeBytes)}). Anything still pulling them fails. This cannot be undone.");
            await info.FlushAsync(ctx.CancellationToken);
            await Prompt.RequireTypedNameAsync(ctx.Output.Error, "repository", full, ctx.Get(confirm), ctx.CancellationToken);

            await ctx.Api.DeleteRepositoryAsync(registry, repository, ctx.CancellationToken);
            if (!ctx.Output.Json)
            {
                await ctx.Output.Out.WriteLineAsync($"Deleted repository {full}; the storage only it used is freed in the background.");
            }
        });
        return command;
    }
}
