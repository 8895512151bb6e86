using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using Berth.Api;
using Berth.Core;

namespace Berth.Cli.Commands;

/// <summary><c>berth registry …</c>: registries are the tenants; each has its own endpoint and credential.</summary>
public static class RegistryCommands
{
    public static Command Create() => new("registry", "Manage registries")
    {
        CreateCommand(),
        ListCommand(),
        ShowCommand(),
        ResizeCommand(),
        ResetPasswordCommand(),
        RevokePreviousPasswordCommand(),
        RevokeAllCommand(),
        DeleteCommand(),
        AuditCommand(),
        KubernetesSecretCommand(),
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
                foreach (var line in LoginCommands(host, registry.Username, ctx.Api.BaseUrl))
                {
                    output.Out.WriteLine("  " + line);
                }

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
                        Format.Usage(r.StorageUsageBytes, r.StorageLimitBytes) + NoticeSuffix(r.UsageNotice),
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
            (string Label, string Value)[] fields =
            [
                ("Name", registry.Name),
                ("Project", registry.Project),
                ("Endpoint", registry.Endpoint),
                ("Username", registry.Username),
                ("Usage", Format.Usage(registry.StorageUsageBytes + registry.UploadBytes, registry.StorageLimitBytes) + NoticeSuffix(registry.UsageNotice)),
                ("Stored", Format.Bytes(registry.StorageUsageBytes)),
                ("Uploads", $"{Format.Bytes(registry.UploadBytes)} held by uploads in progress"),
                ("Repositories", Format.Number(registry.RepositoryCount)),
                ("Created", Format.Date(registry.CreatedAt)),
                ("Login", $"docker login {LoginHost(registry.Endpoint)} -u {registry.Username}"),
            ];
            output.WriteFields(registry.PreviousPasswordValidUntil is { } previousUntil
                ? [.. fields, ("Previous password", $"valid until {Format.Timestamp(previousUntil)} (revoke with `berth registry revoke-previous-password {registry.Name}`)")]
                : fields);

            output.Out.WriteLine();
            if (repositories.Count == 0)
            {
                output.Out.WriteLine($"No repositories yet. Push with: docker push {registry.Endpoint}/<repository>:<tag>");
                return;
            }

            var table = new TableWriter("REPOSITORY", "TAGS>", "ARTIFACTS>", "SIZE>", "UPDATED");
            foreach (var repository in repositories.OrderBy(r => r.Name, StringComparer.Ordinal))
            {
                table.AddRow(
                    repository.Name,
                    Format.Number(repository.TagCount),
                    Format.Number(repository.ArtifactCount),
                    Format.Bytes(repository.SizeBytes),
                    Format.Date(repository.UpdatedAt));
            }

            output.WriteTable(table);
        });
        return command;
    }

    private static Command ResizeCommand()
    {
        var name = NameArgument("Registry name");
        var size = new Option<long>("--size", "-s")
        {
            Description = "New storage allocation, a whole number of GiB: 20GiB, 20G, 20 (GiB) or 1TiB",
            Required = true,
            CustomParser = ParseWholeGiB,
        };
        var command = new Command(
            "resize",
            "Change a registry's storage allocation (growing always works; shrinking below current usage is refused)")
        {
            name, size,
        };
        command.SetApiAction(async ctx =>
        {
            var response = await ctx.Api.ResizeRegistryAsync(ctx.Get(name), ctx.Get(size), ctx.CancellationToken);
            ctx.Output.Render(response, registry =>
            {
                var limit = registry.StorageLimitBytes;
                ctx.Output.Out.WriteLine($"Resized registry {registry.Name}; the new allocation applies at once.");
                ctx.Output.Out.WriteLine();
                ctx.Output.WriteFields(
                    ("Allocation", Format.Bytes(limit)),
                    ("Usage", Format.Bytes(registry.StorageUsageBytes)
                        + (limit > 0 ? $" ({Percent(registry.StorageUsageBytes, limit)} used)" : "")));
            });
        });
        return command;
    }

    /// <summary>
    /// The value of <c>--size</c> in GiB. Invalid sizes are parse errors, so they are reported usage-style with
    /// exit code 2 before anything is sent.
    /// </summary>
    private static long ParseWholeGiB(ArgumentResult result)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
        if (!ByteSize.TryParse(text, ByteSize.GiB, out var bytes))
        {
            result.AddError($"Invalid size '{text}': expected a whole number of GiB such as 20GiB, 20G, 20 or 1TiB.");
        }
        else if (bytes <= 0)
        {
            result.AddError($"Invalid size '{text}': the allocation must be at least 1GiB.");
        }
        else if (bytes % ByteSize.GiB != 0)
        {
            result.AddError($"Invalid size '{text}' ({bytes} bytes): allocations are whole GiB, e.g. {Math.Max(1, bytes / ByteSize.GiB)}GiB or {bytes / ByteSize.GiB + 1}GiB.");
        }
        else
        {
            return bytes / ByteSize.GiB;
        }

        return 0;
    }

    /// <summary>The server's <c>usageNotice</c> (80 % and 100 % of the allocation by default), as words after the usage.</summary>
    private static string NoticeSuffix(string? notice) => notice switch
    {
        "full" => " (full: pushes are refused)",
        "nearly_full" => " (nearly full)",
        _ => "",
    };

    private static string Percent(long used, long total) =>
        (100.0 * used / total).ToString(used > 0 && used * 1000 < total ? "0.00" : "0.0", CultureInfo.InvariantCulture) + "%";

    private static Command ResetPasswordCommand()
    {
        var name = NameArgument("Registry name");
        var yes = new Option<bool>("--yes", "-y")
        {
            Description = "Reset without asking; required when standard input is not a terminal (also with --json)",
        };
        var keep = new Option<string?>("--keep-previous-for")
        {
            Description = "Keep the old password (and its tokens) working this long, e.g. 30m, 24h, 7d (at most 7 days), to roll the new one out without an outage",
        };
        var command = new Command(
            "reset-password",
            "Replace a registry's password; the old one stops working at once (or after --keep-previous-for) and the new one is shown only once")
        {
            name, yes, keep,
        };
        command.SetApiAction(async ctx =>
        {
            var registryName = ctx.Get(name);
            var confirmed = ctx.Get(yes);
            var keepPreviousFor = ctx.Get(keep);
            if (!confirmed && !Prompt.IsInteractive)
            {
                throw new CliException(
                    $"not resetting the password of {registryName}: standard input is not a terminal, so there is no one to confirm. "
                    + "Pass --yes to reset it; the old password stops working immediately.")
                {
                    ExitCode = BerthCli.UsageErrorExitCode,
                };
            }

            // Also checks that the registry exists before asking anything, and gives the host for `docker login`.
            var registry = (await ctx.Api.GetRegistryAsync(registryName, ctx.CancellationToken)).Value;
            if (!confirmed)
            {
                var prompt = ctx.Output.Error;
                await prompt.WriteLineAsync($"Resetting the password of registry {registry.Name} (username {registry.Username}):");
                if (keepPreviousFor is null)
                {
                    await prompt.WriteLineAsync("  - the current password stops working immediately, together with every token issued under it;");
                    await prompt.WriteLineAsync("  - pushes and pulls that use it fail with 401, including ones running now, until they log in again;");
                }
                else
                {
                    await prompt.WriteLineAsync($"  - the current password keeps working for {keepPreviousFor}, together with every token issued under it, then stops;");
                }

                await prompt.WriteLineAsync("  - the new password is shown only once.");
                if (!await Prompt.ConfirmAsync(prompt, $"Reset the password of {registry.Name}?", ctx.CancellationToken))
                {
                    throw new CliException("cancelled; the password was not changed");
                }
            }

            var response = await ctx.Api.ResetPasswordAsync(registry.Name, keepPreviousFor, ctx.CancellationToken);
            ctx.Output.Render(response, reset =>
            {
                var output = ctx.Output;
                var host = LoginHost(registry.Endpoint);
                output.Out.WriteLine(reset.PreviousPasswordValidUntil is { } until
                    ? $"Reset the password of registry {registry.Name}. The old password keeps working until {Format.Timestamp(until)} "
                      + $"(then it stops; end it sooner with `berth registry revoke-previous-password {registry.Name}`)."
                    : $"Reset the password of registry {registry.Name}. The old password no longer works.");
                output.Out.WriteLine();
                output.WriteFields(("Username", reset.Username), ("Password", reset.Password));
                output.Out.WriteLine();
                output.Out.WriteLine("The password is shown only once: store it now, it cannot be retrieved later.");
                output.Out.WriteLine();
                output.Out.WriteLine("Update everything that used the old password:");
                output.Out.WriteLine("  - every machine that pushes or pulls, logging in again with:");
                foreach (var line in LoginCommands(host, reset.Username, ctx.Api.BaseUrl))
                {
                    output.Out.WriteLine("      " + line);
                }

                output.Out.WriteLine("  - CI/CD secrets that hold this registry's password");
                output.Out.WriteLine("  - Kubernetes imagePullSecrets, e.g.:");
                output.Out.WriteLine($"      kubectl create secret docker-registry SECRET --docker-server={host} --docker-username={reset.Username} \\");
                output.Out.WriteLine("        --docker-password=<new password> --dry-run=client -o yaml | kubectl apply -f -");
                output.Out.WriteLine();
                if (reset.AccessTokensStillValid.Count == 0)
                {
                    output.Out.WriteLine("The registry has no access tokens.");
                }
                else
                {
                    output.Out.WriteLine($"These access tokens keep working (revoke them with `berth token revoke ID --registry {registry.Name}`,");
                    output.Out.WriteLine($"or everything at once with `berth registry revoke-all {registry.Name}`):");
                    foreach (var token in reset.AccessTokensStillValid)
                    {
                        output.Out.WriteLine($"  - {token.Name} ({token.Id}): {string.Join(", ", token.Scopes)}");
                    }
                }
            });
        });
        return command;
    }

    private static Command RevokeAllCommand()
    {
        var name = NameArgument("Registry name");
        var yes = new Option<bool>("--yes", "-y")
        {
            Description = "Revoke without asking; required when standard input is not a terminal (also with --json)",
        };
        var command = new Command(
            "revoke-all",
            "For a compromise: replace the password and revoke every access token at once; the new password is shown only once")
        {
            name, yes,
        };
        command.SetApiAction(async ctx =>
        {
            var registryName = ctx.Get(name);
            var confirmed = ctx.Get(yes);
            if (!confirmed && !Prompt.IsInteractive)
            {
                throw new CliException(
                    $"not revoking the credentials of {registryName}: standard input is not a terminal, so there is no one to confirm. "
                    + "Pass --yes to revoke them; the password and every access token stop working immediately.")
                {
                    ExitCode = BerthCli.UsageErrorExitCode,
                };
            }

            var registry = (await ctx.Api.GetRegistryAsync(registryName, ctx.CancellationToken)).Value;
            if (!confirmed)
            {
                var tokens = (await ctx.Api.ListRegistryTokensAsync(registry.Name, ctx.CancellationToken)).Value;
                var prompt = ctx.Output.Error;
                await prompt.WriteLineAsync($"Revoking every credential of registry {registry.Name}:");
                await prompt.WriteLineAsync("  - the password stops working immediately, with every token issued under it; a new one is shown once;");
                await prompt.WriteLineAsync($"  - {Format.Count(tokens.Count, "access token", "access tokens")} stop working immediately, on every node;");
                await prompt.WriteLineAsync("  - every push and pull fails with 401 until it uses the new password or a new token.");
                if (!await Prompt.ConfirmAsync(prompt, $"Revoke all credentials of {registry.Name}?", ctx.CancellationToken))
                {
                    throw new CliException("cancelled; nothing was revoked");
                }
            }

            var response = await ctx.Api.RevokeAllCredentialsAsync(registry.Name, ctx.CancellationToken);
            ctx.Output.Render(response, revoked =>
            {
                var output = ctx.Output;
                output.Out.WriteLine($"Revoked every credential of registry {registry.Name}: the old password and {Format.Count(revoked.RevokedTokenCount, "access token", "access tokens")}.");
                foreach (var token in revoked.RevokedTokens)
                {
                    output.Out.WriteLine($"  - {token.Name} ({token.Id})");
                }

                output.Out.WriteLine();
                output.WriteFields(("Username", revoked.Username), ("Password", revoked.Password));
                output.Out.WriteLine();
                output.Out.WriteLine("The password is shown only once: store it now, it cannot be retrieved later.");
            });
        });
        return command;
    }

    private static Command RevokePreviousPasswordCommand()
    {
        var name = NameArgument("Registry name");
        var command = new Command(
            "revoke-previous-password",
            "Stop the password a reset kept working (--keep-previous-for) now, with every token issued under it")
        {
            name,
        };
        command.SetApiAction(async ctx =>
        {
            var registryName = ctx.Get(name);
            await ctx.Api.RevokePreviousPasswordAsync(registryName, ctx.CancellationToken);
            if (!ctx.Output.Json)
            {
                await ctx.Output.Out.WriteLineAsync($"Revoked the previous password of registry {registryName}: it and the tokens issued under it no longer work.");
            }
        });
        return command;
    }

    private static Command KubernetesSecretCommand()
    {
        var name = NameArgument("Registry name");
        var @namespace = new Option<string>("--namespace", "-n") { Description = "Namespace of the Secret", DefaultValueFactory = _ => "default" };
        var secretName = new Option<string?>("--secret-name") { Description = "Name of the Secret (default: <registry>-pull)" };
        var passwordStdin = new Option<bool>("--password-stdin") { Description = "Embed the registry's current password, read from standard input, instead of a new pull-only token" };
        var reset = new Option<bool>("--reset-password") { Description = "Reset the registry's password and embed the new one instead of a new pull-only token (the old one stops working at once)" };
        var command = new Command(
            "k8s-secret",
            "Print a kubernetes.io/dockerconfigjson Secret (YAML) for pulling from the registry, holding a new pull-only access token; pipe it to `kubectl apply -f -`")
        {
            name, @namespace, secretName, passwordStdin, reset,
        };
        command.Validators.Add(result =>
        {
            if (result.GetValue(passwordStdin) && result.GetValue(reset))
            {
                result.AddError("Give at most one of --password-stdin (the current password) or --reset-password (default: a new pull-only token).");
            }
        });
        command.SetApiAction(async ctx =>
        {
            var registryName = ctx.Get(name);
            string? password = null;
            if (ctx.Get(passwordStdin))
            {
                password = (await Console.In.ReadLineAsync(ctx.CancellationToken))?.TrimEnd('\r', '\n');
                if (string.IsNullOrEmpty(password))
                {
                    throw new CliException("no password on standard input") { ExitCode = BerthCli.UsageErrorExitCode };
                }
            }

            var request = new KubernetesSecretRequest(ctx.Get(@namespace) ?? "default", ctx.Get(secretName) ?? registryName + "-pull", password, ctx.Get(reset));
            var yaml = await ctx.Api.CreateKubernetesSecretAsync(registryName, request, ctx.CancellationToken);
            await ctx.Output.Out.WriteAsync(yaml);
            if (ctx.Get(reset))
            {
                await ctx.Output.Error.WriteLineAsync($"The password of {registryName} was reset; the Secret above holds the new one. Update docker logins and CI secrets too.");
            }
            else if (password is null)
            {
                await ctx.Output.Error.WriteLineAsync($"The Secret above holds a new pull-only access token of {registryName}; see it with `berth token list --registry {registryName}`.");
            }

            await ctx.Output.Error.WriteLineAsync($"Use it in a pod spec with:  imagePullSecrets: [{{name: {request.SecretName}}}]");
        });
        return command;
    }

    private static Command DeleteCommand()
    {
        var name = NameArgument("Registry name");
        var confirm = new Option<string?>("--confirm")
        {
            Description = "The registry's name once more, to delete without the prompt (scripts can also pipe the name to stdin)",
        };
        var command = new Command(
            "delete",
            "Delete a registry with all its images, immediately and irreversibly (--json: summary on stderr, nothing on stdout)")
        {
            name, confirm,
        };
        command.Aliases.Add("rm");
        command.SetApiAction(async ctx =>
        {
            var registry = (await ctx.Api.GetRegistryAsync(ctx.Get(name), ctx.CancellationToken)).Value;
            var repositories = (await ctx.Api.ListRepositoriesAsync(registry.Name, ctx.CancellationToken)).Value;
            var tags = repositories.Sum(r => (long)r.TagCount);

            // What will be lost, before any question. With --json stdout is reserved for JSON.
            var info = ctx.Output.Json ? ctx.Output.Error : ctx.Output.Out;
            await info.WriteLineAsync(
                $"Deleting registry {registry.Name} (project {registry.Project}, endpoint {registry.Endpoint}) permanently removes:");
            await info.WriteLineAsync($"  - {Format.Count(repositories.Count, "repository", "repositories")} with {Format.Count(tags, "tag", "tags")}");
            await info.WriteLineAsync($"  - {Format.Bytes(registry.StorageUsageBytes)} of stored images");
            await info.WriteLineAsync("  - vulnerability scan data, configuration and credentials");
            await info.WriteLineAsync("This cannot be undone.");
            await info.FlushAsync(ctx.CancellationToken);

            await Prompt.RequireTypedNameAsync(ctx.Output.Error, "registry", registry.Name, ctx.Get(confirm), ctx.CancellationToken);
            await ctx.Api.DeleteRegistryAsync(registry.Name, registry.Name, ctx.CancellationToken);
            if (!ctx.Output.Json)
            {
                await ctx.Output.Out.WriteLineAsync(
                    $"Deleted registry {registry.Name}. The deletion is immediate and irreversible: its credentials no longer work, "
                    + "its repositories are gone (stored blobs are purged in the background) and the name can be reused.");
            }
        });
        return command;
    }

    private static Command AuditCommand()
    {
        var name = NameArgument("Registry name");
        var limit = AuditOutput.LimitOption();
        var command = new Command("audit", "Show the audit log of a registry (created, resized, password reset), newest first")
        {
            name, limit,
        };
        command.SetApiAction(async ctx =>
        {
            var response = await ctx.Api.ListRegistryAuditAsync(ctx.Get(name), ctx.Get(limit), ctx.CancellationToken);
            ctx.Output.Render(response, events =>
                AuditOutput.Write(ctx.Output, events, $"No audit events for registry {ctx.Get(name)}."));
        });
        return command;
    }

    /// <summary>
    /// How to log in with each client. Over plain HTTP (the server's URL is http://) podman and skopeo need
    /// <c>--tls-verify=false</c>, and docker needs the host among its insecure registries.
    /// </summary>
    public static IEnumerable<string> LoginCommands(string host, string username, Uri server)
    {
        var plainHttp = server.Scheme == Uri.UriSchemeHttp;
        var tls = plainHttp ? " --tls-verify=false" : "";
        yield return $"podman login{tls} {host} -u {username}";
        yield return $"skopeo login{tls} {host} -u {username}";
        yield return $"docker login {host} -u {username}"
            + (plainHttp ? $"   # plain HTTP: add \"{host}\" to \"insecure-registries\" in /etc/docker/daemon.json first" : "");
    }

    /// <summary>The host to log in to: the endpoint up to its first '/' (path-based) or the whole endpoint (host-based).</summary>
    public static string LoginHost(string endpoint) =>
        endpoint.IndexOf('/', StringComparison.Ordinal) is var slash and >= 0 ? endpoint[..slash] : endpoint;
}
