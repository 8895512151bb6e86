using System.CommandLine;
using Berth.Api;

namespace Berth.Cli.Commands;

/// <summary>
/// <c>berth login</c>: signs in with a username and password once, creates a personal access token for this machine
/// and saves that token (never the password) to the config file. Logging in again revokes the token the previous
/// login created.
/// </summary>
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
            Description = "Username",
            DefaultValueFactory = _ => CliConfig.DefaultUsername,
        };
        var password = new Option<string?>("--password", "-p")
        {
            Description = "Password (visible in shell history; prefer --password-stdin or the prompt)",
        };
        var passwordStdin = new Option<bool>("--password-stdin")
        {
            Description = "Read the password from standard input",
        };

        var command = new Command("login", "Sign in, and save a personal access token for this machine (not the password) to the config file")
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
            var previous = SavedConfig();
            var serverUrl = CliConfig.NormalizeUrl(
                NonEmpty(parseResult.GetValue(url))
                ?? NonEmpty(Environment.GetEnvironmentVariable(CliConfig.UrlVariable))
                ?? NonEmpty(previous?.Url)
                ?? CliConfig.DefaultUrl);
            var user = parseResult.GetValue(username) is { Length: > 0 } u ? u : CliConfig.DefaultUsername;
            var secret = parseResult.GetValue(password)
                ?? await Prompt.ReadSecretAsync(output.Error, "Password", parseResult.GetValue(passwordStdin), cancellationToken);
            if (string.IsNullOrEmpty(secret))
            {
                throw new CliException("no password given");
            }

            CreatedTokenResponse token;
            using (var api = new ApiClient(new CliConfig(serverUrl, user, secret)))
            {
                try
                {
                    token = (await api.CreateTokenAsync(new CreateTokenRequest(TokenName(), null), cancellationToken)).Value;
                }
                catch (ApiException e) when (e.Status == 401)
                {
                    throw new CliException($"Wrong username or password: {serverUrl} did not accept the password of '{user}'.", e);
                }
            }

            var path = CliConfig.Save(new StoredConfig(serverUrl, user, token.Token, token.Id));
            await output.Out.WriteLineAsync($"Login succeeded for {user} at {serverUrl}; a personal access token ({token.Name}) is saved in {path}");
            await RevokePreviousAsync(previous, output, cancellationToken);
            foreach (var variable in CliConfig.OverridingVariables())
            {
                await output.Error.WriteLineAsync($"note: {variable} is set and overrides the saved config");
            }
        });
        return command;
    }

    /// <summary>
    /// Revokes the token the previous login saved, with that token itself (it may belong to another user or server). A
    /// token already revoked or expired is simply gone; any other failure is reported but does not undo the login.
    /// </summary>
    private static async Task RevokePreviousAsync(StoredConfig? previous, Output output, CancellationToken cancellationToken)
    {
        if (previous is not { Url: { Length: > 0 } oldUrl, Username: { Length: > 0 } oldUser, Token: { Length: > 0 } oldToken, TokenId: { Length: > 0 } oldId })
        {
            return;
        }

        try
        {
            using var api = new ApiClient(new CliConfig(CliConfig.NormalizeUrl(oldUrl), oldUser, oldToken));
            await api.RevokeTokenAsync(oldId, cancellationToken);
            await output.Out.WriteLineAsync($"Revoked the token of the previous login ({oldId}).");
        }
        catch (ApiException e) when (e.Status is 401 or 404)
        {
            // Already revoked, expired or deleted: nothing left to do.
        }
        catch (CliException e)
        {
            await output.Error.WriteLineAsync($"warning: could not revoke the previous login's token {oldId} at {oldUrl}: {e.Message}");
        }
    }

    /// <summary>Tells the machine's tokens apart in `berth token list` and the dashboard.</summary>
    private static string TokenName() => $"berth login on {Environment.MachineName}"[..Math.Min(100, 15 + Environment.MachineName.Length)];

    /// <summary>The saved config; a broken config file must not prevent logging in again (which rewrites it).</summary>
    private static StoredConfig? SavedConfig()
    {
        try
        {
            return CliConfig.LoadFile();
        }
        catch (CliException)
        {
            return null;
        }
    }

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
