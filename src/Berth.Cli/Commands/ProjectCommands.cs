using System.CommandLine;

namespace Berth.Cli.Commands;

/// <summary><c>berth project …</c>: projects group registries.</summary>
public static class ProjectCommands
{
    public static Command Create() => new("project", "Manage projects")
    {
        CreateCommand(),
        ListCommand(),
        DeleteCommand(),
        AuditCommand(),
    };

    private static Command CreateCommand()
    {
        var name = new Argument<string>("name") { Description = "Project name (DNS label: 3-63 of a-z, 0-9, '-')" };
        var command = new Command("create", "Create a project") { name };
        command.SetApiAction(async ctx =>
        {
            var response = await ctx.Api.CreateProjectAsync(ctx.Get(name), ctx.CancellationToken);
            ctx.Output.Render(response, project =>
                ctx.Output.Out.WriteLine($"Created project {project.Name}. Add a registry with `berth registry create NAME --project {project.Name}`."));
        });
        return command;
    }

    private static Command ListCommand()
    {
        var command = new Command("list", "List projects");
        command.Aliases.Add("ls");
        command.SetApiAction(async ctx =>
        {
            var response = await ctx.Api.ListProjectsAsync(ctx.CancellationToken);
            ctx.Output.Render(response, projects =>
            {
                if (projects.Count == 0)
                {
                    ctx.Output.Out.WriteLine("No projects yet. Create one with `berth project create NAME`.");
                    return;
                }

                var table = new TableWriter("NAME", "REGISTRIES>", "CREATED");
                foreach (var project in projects.OrderBy(p => p.Name, StringComparer.Ordinal))
                {
                    table.AddRow(project.Name, Format.Number(project.RegistryCount), Format.Date(project.CreatedAt));
                }

                ctx.Output.WriteTable(table);
            });
        });
        return command;
    }

    private static Command DeleteCommand()
    {
        var name = new Argument<string>("name") { Description = "Project name" };
        var confirm = new Option<string?>("--confirm")
        {
            Description = "The project's name once more, to delete it with its registries without the prompt (scripts can also pipe the name to stdin)",
        };
        var command = new Command(
            "delete",
            "Delete a project; one with registries only after typing its name, and then they are deleted with it, irreversibly")
        {
            name, confirm,
        };
        command.Aliases.Add("rm");
        command.SetApiAction(async ctx =>
        {
            var project = (await ctx.Api.GetProjectAsync(ctx.Get(name), ctx.CancellationToken)).Value;
            var info = ctx.Output.Json ? ctx.Output.Error : ctx.Output.Out;
            string? confirmation = null;
            if (project.RegistryCount > 0)
            {
                var registries = (await ctx.Api.ListRegistriesAsync(project.Name, ctx.CancellationToken)).Value;
                await info.WriteLineAsync($"Deleting project {project.Name} permanently deletes its {Format.Count(project.RegistryCount, "registry", "registries")} with all their images:");
                foreach (var registry in registries.OrderBy(r => r.Name, StringComparer.Ordinal))
                {
                    await info.WriteLineAsync($"  - {registry.Name}: {Format.Count(registry.RepositoryCount, "repository", "repositories")}, {Format.Bytes(registry.StorageUsageBytes)}");
                }

                if (project.RegistryCount > registries.Count)
                {
                    await info.WriteLineAsync($"  - and {Format.Count(project.RegistryCount - registries.Count, "more registry", "more registries")}");
                }

                await info.WriteLineAsync("Their credentials stop working at once. This cannot be undone.");
                await info.FlushAsync(ctx.CancellationToken);
                await Prompt.RequireTypedNameAsync(ctx.Output.Error, "project", project.Name, ctx.Get(confirm), ctx.CancellationToken);
                confirmation = project.Name;
            }

            await ctx.Api.DeleteProjectAsync(project.Name, confirmation, ctx.CancellationToken);
            if (!ctx.Output.Json)
            {
                await ctx.Output.Out.WriteLineAsync($"Deleted project {project.Name}"
                    + (project.RegistryCount > 0 ? $" and its {Format.Count(project.RegistryCount, "registry", "registries")}." : "."));
            }
        });
        return command;
    }

    private static Command AuditCommand()
    {
        var name = new Argument<string>("project") { Description = "Project name" };
        var limit = AuditOutput.LimitOption();
        var command = new Command(
            "audit",
            "Show the audit log of a project and its registries (deleted ones too), newest first") { name, limit };
        command.SetApiAction(async ctx =>
        {
            var response = await ctx.Api.ListProjectAuditAsync(ctx.Get(name), ctx.Get(limit), ctx.CancellationToken);
            ctx.Output.Render(response, events =>
                AuditOutput.Write(ctx.Output, events, $"No audit events in project {ctx.Get(name)}."));
        });
        return command;
    }
}
