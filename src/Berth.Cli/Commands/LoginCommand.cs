using System.CommandLine;
using System.Text;

namespace Berth.Cli.Commands;

/// <summary><c>berth login</c>: verifies administrator credentials and saves them to the config file.</summary>
public static class LoginCommand
{
    public static Command Create()
    {
        var url = new Option<string?>("--url")
        {
            Description = $"Server URL (default: ${CliConfig.UrlVariable}, else the saved URL, else {CliConfig.DefaultUrl})",
        };
        var username = new Option<string>("--username", "-u")
        {
            Description = "Administrator username",
            DefaultValueFactory = _ => CliConfig.DefaultUsername,
        };
        var password = new Option<string?>("--password", "-p")
        {
            Description = "Administrator password (visible in shell history; prefer --password-stdin or the prompt)",
        };
        var passwordStdin = new Option<bool>("--password-stdin")
        {
            Description = "Read the password from standard input",
        };

        var command = new Command("login", "Verify administrator credentials and save them to the config file")
        {
            url, username, password, passwordStdin,
        };
        command.Validators.Add(result =>
        {
            if (result.GetValue(password) is not null && result.GetValue(passwordStdin))
            {
                result.AddError("--password and --password-stdin cannot be used together.");
            }
        });

        command.SetCliAction(async (parseResult, output, cancellationToken) =>
        {
            var serverUrl = CliConfig.NormalizeUrl(
                NonEmpty(parseResult.GetValue(url))
                ?? NonEmpty(Environment.GetEnvironmentVariable(CliConfig.UrlVariable))
                ?? NonEmpty(SavedUrl())
                ?? CliConfig.DefaultUrl);
            var user = parseResult.GetValue(username) is { Length: > 0 } u ? u : CliConfig.DefaultUsername;
            var secret = parseResult.GetValue(password)
                ?? (parseResult.GetValue(passwordStdin) || Console.IsInputRedirected
                    ? await ReadStdinLineAsync(cancellationToken)
                    : ReadPasswordFromTerminal(output.Error));
            if (string.IsNullOrEmpty(secret))
            {
                throw new CliException("no password given");
            }

            var config = new CliConfig(serverUrl, user, secret);
            using (var api = new ApiClient(config))
            {
                try
                {
                    await api.ListProjectsAsync(cancellationToken);
                }
                catch (ApiException e) when (e.Status == 401)
                {
                    throw new CliException($"login failed: {serverUrl} rejected username '{user}' or its password (HTTP 401)", e);
                }
            }

            var path = config.Save();
            await output.Out.WriteLineAsync($"Login succeeded for {user} at {serverUrl}; credentials saved to {path}");
            foreach (var variable in CliConfig.OverridingVariables())
            {
                await output.Error.WriteLineAsync($"note: {variable} is set and overrides the saved config");
            }
        });
        return command;
    }

    /// <summary>The saved URL; a broken config file must not prevent logging in again (which rewrites it).</summary>
    private static string? SavedUrl()
    {
        try
        {
            return CliConfig.LoadFile()?.Url;
        }
        catch (CliException)
        {
            return null;
        }
    }

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;

    private static async Task<string?> ReadStdinLineAsync(CancellationToken cancellationToken)
    {
        var line = await Console.In.ReadLineAsync(cancellationToken);
        return line?.TrimEnd('\r', '\n');
    }

    /// <summary>Prompts on stderr and reads the password from the terminal without echoing it.</summary>
    private static string ReadPasswordFromTerminal(TextWriter prompt)
    {
        prompt.Write("Password: ");
        prompt.Flush();
        var password = new StringBuilder();
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            if (key.Key == ConsoleKey.Enter)
            {
                break;
            }

            if (key.Key == ConsoleKey.Backspace)
            {
                if (password.Length > 0)
                {
                    password.Length--;
                }
            }
            else if (!char.IsControl(key.KeyChar))
            {
                password.Append(key.KeyChar);
            }
        }

        prompt.WriteLine();
        return password.ToString();
    }
}
