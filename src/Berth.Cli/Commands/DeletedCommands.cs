using System.CommandLine;
using Berth.Api;

namespace Berth.Cli.Commands;

/// <summary>
/// <c>berth deleted …</c>: a registry's recently deleted tags and manifests (its recovery bin), restorable until their
/// recovery window has passed.
/// </summary>
public static class DeletedCommands
{
    public static Command Create() => new("deleted", "List and restore recently deleted tags and manifests")
    {
        ListCommand(),
        RestoreCommand(),
    };

    private static Command ListCommand()
    {
        var registry = new Argument<string>("registry") { Description = "The registry" };
        var repository = new Option<string?>("--repository") { Description = "Only this repository's deleted tags and manifests" };
        var command = new Command("list", "List recently deleted tags and manifests, newest first") { registry, repository };
        command.Aliases.Add("ls");
        command.SetApiAction(async ctx =>
        {
            var listed = await ctx.Api.ListDeletedAsync(ctx.Get(registry), ctx.Get(repository), ctx.CancellationToken);
            ctx.Output.Render(listed, entries =>
            {
                var table = new TableWriter("REPOSITORY", "TAG", "DIGEST", "DELETED", "RESTORABLE UNTIL");
                foreach (var entry in entries)
                {
                    table.AddRow(entry.Repository, entry.Tag ?? "<untagged>", entry.Digest, Format.Date(entry.DeletedAt), Format.Date(entry.ExpiresAt));
                }

                ctx.Output.WriteTable(table);
            });
        });
        return command;
    }

    private static Command RestoreCommand()
    {
        var registry = new Argument<string>("registry") { Description = "The registry" };
        var reference = new Argument<string>("reference") { Description = "REPOSITORY:TAG (with its image) or REPOSITORY@DIGEST, e.g. api/web:1.4" };
        var command = new Command("restore", "Restore a deleted tag (and its image) or manifest") { registry, reference };
        command.SetApiAction(async ctx =>
        {
            var request = ParseReference(ctx.Get(reference));
            var restored = await ctx.Api.RestoreDeletedAsync(ctx.Get(registry), request, ctx.CancellationToken);
            ctx.Output.Render(restored, entry => ctx.Output.Out.WriteLine(entry.Tag is { } tag
                ? $"Restored tag {entry.Repository}:{tag} ({entry.Digest})."
                : $"Restored manifest {entry.Repository}@{entry.Digest}."));
        });
        return command;
    }

    /// <summary>REPOSITORY@DIGEST or REPOSITORY:TAG (repository names never contain ':' or '@').</summary>
    private static RestoreRequest ParseReference(string text)
    {
        var at = text.IndexOf('@', StringComparison.Ordinal);
        if (at > 0 && at < text.Length - 1)
        {
            return new RestoreRequest(text[..at], null, text[(at + 1)..]);
        }

        var colon = text.LastIndexOf(':');
        if (at < 0 && colon > 0 && colon < text.Length - 1)
        {
            return new RestoreRequest(text[..colon], text[(colon + 1)..], null);
        }

        throw new CliException($"'{text}' names no tag or digest: expected REPOSITORY:TAG or REPOSITORY@DIGEST") { ExitCode = BerthCli.UsageErrorExitCode };
    }
}
