using System.CommandLine;

namespace Berth.Cli.Commands;

/// <summary><c>berth project …</c>: projects group registries.</summary>
public static class ProjectCommands
{
    public static Command Create() => new("project", "Manage projects")
    {
        CreateCommand(),
        ListCommand(),
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
