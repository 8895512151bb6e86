using System.CommandLine;
using Berth.Api;

namespace Berth.Cli.Commands;

/// <summary><c>berth user …</c>: dashboard and API users (administrators create and list them) and your own account.</summary>
public static class UserCommands
{
    public static Command Create() => new("user", "Manage users and your own account")
    {
        CreateCommand(),
        ListCommand(),
        MeCommand(),
        PasswordCommand(),
    };

    private static Command CreateCommand()
    {
        var name = new Argument<string>("username") { Description = "3-63 of a-z, 0-9, '.', '_', '-'" };
        var admin = new Option<bool>("--admin") { Description = "Make the user an administrator (sees and manages everything)" };
        var passwordStdin = new Option<bool>("--password-stdin") { Description = "Read the new user's password from standard input" };
        var command = new Command("create", "Create a user (administrators); give them projects with `berth member set`") { name, admin, passwordStdin };
        command.SetApiAction(async ctx =>
        {
            var password = await Prompt.ReadSecretAsync(ctx.Output.Error, "Password for the new user", ctx.Get(passwordStdin), ctx.CancellationToken);
            if (string.IsNullOrEmpty(password))
            {
                throw new CliException("no password given") { ExitCode = BerthCli.UsageErrorExitCode };
            }

            var response = await ctx.Api.CreateUserAsync(new CreateUserRequest(ctx.Get(name), password, ctx.Get(admin)), ctx.CancellationToken);
            ctx.Output.Render(response, user =>
                ctx.Output.Out.WriteLine($"Created {(user.IsAdmin ? "administrator" : "user")} {user.Username}. "
                    + $"Give them a project with `berth member set {user.Username} --project PROJECT --role developer`."));
        });
        return command;
    }

    private static Command ListCommand()
    {
        var command = new Command("list", "List users (administrators)");
        command.Aliases.Add("ls");
        command.SetApiAction(async ctx =>
        {
            var response = await ctx.Api.ListUsersAsync(ctx.CancellationToken);
            ctx.Output.Render(response, users =>
            {
                var table = new TableWriter("USERNAME", "ADMIN", "CREATED");
                foreach (var user in users.OrderBy(u => u.Username, StringComparer.Ordinal))
                {
                    table.AddRow(user.Username, user.IsAdmin ? "yes" : "no", Format.Date(user.CreatedAt));
                }

                ctx.Output.WriteTable(table);
            });
        });
        return command;
    }

    private static Command MeCommand()
    {
        var command = new Command("me", "Show who you are signed in as, and your projects");
        command.Aliases.Add("whoami");
        command.SetApiAction(async ctx =>
        {
            var response = await ctx.Api.MeAsync(ctx.CancellationToken);
            ctx.Output.Render(response, me =>
            {
                ctx.Output.WriteFields(("Username", me.Username), ("Administrator", me.IsAdmin ? "yes" : "no"), ("Server", ctx.Api.Url));
                if (me.Projects.Count > 0)
                {
                    ctx.Output.Out.WriteLine();
                    var table = new TableWriter("PROJECT", "ROLE");
                    foreach (var membership in me.Projects.OrderBy(p => p.Project, StringComparer.Ordinal))
                    {
                        table.AddRow(membership.Project, membership.Role.ToString().ToLowerInvariant());
                    }

                    ctx.Output.WriteTable(table);
                }
            });
        });
        return command;
    }

    private static Command PasswordCommand()
    {
        var stdin = new Option<bool>("--password-stdin") { Description = "Read the current and the new password from standard input, one line each" };
        var command = new Command("passwd", "Change your password (signs out your other dashboard sessions; access tokens keep working)") { stdin };
        command.SetApiAction(async ctx =>
        {
            var current = await Prompt.ReadSecretAsync(ctx.Output.Error, "Current password", ctx.Get(stdin), ctx.CancellationToken);
            var next = await Prompt.ReadSecretAsync(ctx.Output.Error, "New password", ctx.Get(stdin), ctx.CancellationToken);
            if (string.IsNullOrEmpty(current) || string.IsNullOrEmpty(next))
            {
                throw new CliException("the current and the new password are both needed") { ExitCode = BerthCli.UsageErrorExitCode };
            }

            await ctx.Api.ChangePasswordAsync(new ChangePasswordRequest(current, next), ctx.CancellationToken);
            await ctx.Output.Out.WriteLineAsync("Password changed.");
        });
        return command;
    }
}
