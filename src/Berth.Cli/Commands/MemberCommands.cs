using System.CommandLine;

namespace Berth.Cli.Commands;

/// <summary><c>berth member …</c>: who may do what in a project (viewer reads, developer pushes and deletes, owner manages).</summary>
public static class MemberCommands
{
    private static readonly string[] Roles = ["viewer", "developer", "owner"];

    public static Command Create() => new("member", "Manage the members of a project and their roles")
    {
        ListCommand(),
        SetCommand(),
        RemoveCommand(),
    };

    private static Option<string> ProjectOption() => new("--project", "-p") { Description = "The project", Required = true };

    private static Argument<string> UserArgument() => new("username") { Description = "A user (see `berth user list`)" };

    private static Command ListCommand()
    {
        var project = ProjectOption();
        var command = new Command("list", "List the members of a project") { project };
        command.Aliases.Add("ls");
        command.SetApiAction(async ctx =>
        {
            var response = await ctx.Api.ListMembersAsync(ctx.Get(project)!, ctx.CancellationToken);
            ctx.Output.Render(response, members =>
            {
                var table = new TableWriter("USERNAME", "ROLE");
                foreach (var member in members.OrderBy(m => m.Username, StringComparer.Ordinal))
                {
                    table.AddRow(member.Username, member.Role.ToString().ToLowerInvariant());
                }

                ctx.Output.WriteTable(table);
            });
        });
        return command;
    }

    private static Command SetCommand()
    {
        var user = UserArgument();
        var project = ProjectOption();
        var role = new Option<string>("--role", "-r") { Description = "viewer, developer or owner", Required = true };
        role.AcceptOnlyFromAmong(Roles);
        var command = new Command("set", "Add a user to a project, or change their role") { user, project, role };
        command.SetApiAction(async ctx =>
        {
            var response = await ctx.Api.SetMemberAsync(ctx.Get(project)!, ctx.Get(user), ctx.Get(role)!, ctx.CancellationToken);
            ctx.Output.Render(response, member =>
                ctx.Output.Out.WriteLine($"{member.Username} is {member.Role.ToString().ToLowerInvariant()} in project {member.Project}."));
        });
        return command;
    }

    private static Command RemoveCommand()
    {
        var user = UserArgument();
        var project = ProjectOption();
        var command = new Command("remove", "Remove a user from a project") { user, project };
        command.Aliases.Add("rm");
        command.SetApiAction(async ctx =>
        {
            await ctx.Api.RemoveMemberAsync(ctx.Get(project)!, ctx.Get(user), ctx.CancellationToken);
            if (!ctx.Output.Json)
            {
                await ctx.Output.Out.WriteLineAsync($"Removed {ctx.Get(user)} from project {ctx.Get(project)}.");
            }
        });
        return command;
    }
}
