using System.CommandLine;

namespace Berth.Cli.Commands;

/// <summary><c>berth registry …</c>: registries are the tenants; each has its own endpoint and credential.</summary>
public static class RegistryCommands
{
    public static Command Create() => new("registry", "Manage registries")
    {
        CreateCommand(),
        ListCommand(),
        ShowCommand(),
    };

    private static Option<string> ProjectOption() => new("--project", "-p")
    {
        Description = "Project the registry belongs to",
        Required = true,
    };

    private static Argument<string> NameArgument(string description) => new("name") { Description = description };

    private static Command CreateCommand()
    {
        var name = NameArgument("Registry name (DNS label, unique on the server; part of the endpoint)");
        var project = ProjectOption();
        var command = new Command("create", "Create a registry and print its credential (shown only once)") { name, project };
        command.SetApiAction(async ctx =>
        {
            var response = await ctx.Api.CreateRegistryAsync(ctx.Get(project)!, ctx.Get(name), ctx.CancellationToken);
            ctx.Output.Render(response, registry =>
            {
                var output = ctx.Output;
                var host = LoginHost(registry.Endpoint);
                output.Out.WriteLine($"Created registry {registry.Name} in project {registry.Project}.");
                output.Out.WriteLine();
                output.WriteFields(
                    ("Endpoint", registry.Endpoint),
                    ("Username", registry.Username),
                    ("Password", registry.Password));
                output.Out.WriteLine();
                output.Out.WriteLine("The password is shown only once: store it now, it cannot be retrieved later.");
                output.Out.WriteLine();
                output.Out.WriteLine("Log in with:");
                output.Out.WriteLine($"  docker login {host} -u {registry.Username}");
                output.Out.WriteLine($"  skopeo login {host} -u {registry.Username}");
                output.Out.WriteLine($"Images are named {registry.Endpoint}/<repository>:<tag>");
            });
        });
        return command;
    }

    private static Command ListCommand()
    {
        var project = ProjectOption();
        var command = new Command("list", "List the registries of a project") { project };
        command.Aliases.Add("ls");
        command.SetApiAction(async ctx =>
        {
            var response = await ctx.Api.ListRegistriesAsync(ctx.Get(project)!, ctx.CancellationToken);
            ctx.Output.Render(response, registries =>
            {
                if (registries.Count == 0)
                {
                    ctx.Output.Out.WriteLine($"No registries in project {ctx.Get(project)}. Create one with `berth registry create NAME --project {ctx.Get(project)}`.");
                    return;
                }

                var table = new TableWriter("NAME", "PROJECT", "ENDPOINT", "USAGE", "REPOS>", "CREATED");
                foreach (var r in registries.OrderBy(r => r.Name, StringComparer.Ordinal))
                {
                    table.AddRow(
                        r.Name,
                        r.Project,
                        r.Endpoint,
                        Format.Usage(r.StorageUsageBytes, r.StorageLimitBytes),
                        Format.Number(r.RepositoryCount),
                        Format.Date(r.CreatedAt));
                }

                ctx.Output.WriteTable(table);
            });
        });
        return command;
    }

    private static Command ShowCommand()
    {
        var name = NameArgument("Registry name");
        var command = new Command("show", "Show a registry and its repositories (--json: the registry detail only)") { name };
        command.SetApiAction(async ctx =>
        {
            var response = await ctx.Api.GetRegistryAsync(ctx.Get(name), ctx.CancellationToken);
            if (ctx.Output.Json)
            {
                ctx.Output.WriteJson(response.Json);
                return;
            }

            var registry = response.Value;
            var repositories = (await ctx.Api.ListRepositoriesAsync(registry.Name, ctx.CancellationToken)).Value;
            var output = ctx.Output;
            output.WriteFields(
                ("Name", registry.Name),
                ("Project", registry.Project),
                ("Endpoint", registry.Endpoint),
                ("Username", registry.Username),
                ("Usage", Format.Usage(registry.StorageUsageBytes, registry.StorageLimitBytes)),
                ("Repositories", Format.Number(registry.RepositoryCount)),
                ("Created", Format.Date(registry.CreatedAt)),
                ("Login", $"docker login {LoginHost(registry.Endpoint)} -u {registry.Username}"));

            output.Out.WriteLine();
            if (repositories.Count == 0)
            {
                output.Out.WriteLine($"No repositories yet. Push with: docker push {registry.Endpoint}/<repository>:<tag>");
                return;
            }

            var table = new TableWriter("REPOSITORY", "TAGS>", "MANIFESTS>", "SIZE>", "UPDATED");
            foreach (var repository in repositories.OrderBy(r => r.Name, StringComparer.Ordinal))
            {
                table.AddRow(
                    repository.Name,
                    Format.Number(repository.TagCount),
                    Format.Number(repository.ManifestCount),
                    Format.Bytes(repository.SizeBytes),
                    Format.Date(repository.UpdatedAt));
            }

            output.WriteTable(table);
        });
        return command;
    }

    /// <summary>The host to log in to: the endpoint up to its first '/' (path-based) or the whole endpoint (host-based).</summary>
    public static string LoginHost(string endpoint) =>
        endpoint.IndexOf('/', StringComparison.Ordinal) is var slash and >= 0 ? endpoint[..slash] : endpoint;
}
