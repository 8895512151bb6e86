using System.Text;

namespace Berth.Cli;

/// <summary>Confirmation prompts: written to stderr (stdout stays for results), answered on stdin.</summary>
public static class Prompt
{
    /// <summary>True when stdin is a terminal, so a person can answer a prompt.</summary>
    public static bool IsInteractive => !Console.IsInputRedirected;

    /// <summary>Writes <paramref name="question"/> (no newline) to <paramref name="prompt"/> and reads one line; null at end of input.</summary>
    public static async Task<string?> AskAsync(TextWriter prompt, string question, CancellationToken cancellationToken)
    {
        await prompt.WriteAsync(question + " ");
        await prompt.FlushAsync(cancellationToken);
        var line = await Console.In.ReadLineAsync(cancellationToken);
        return line?.TrimEnd('\r', '\n');
    }

    /// <summary>A <c>[y/N]</c> question: only "y" or "yes" (any case) is a yes.</summary>
    public static async Task<bool> ConfirmAsync(TextWriter prompt, string question, CancellationToken cancellationToken) =>
        (await AskAsync(prompt, question + " [y/N]", cancellationToken))?.Trim().ToUpperInvariant() is "Y" or "YES";

    /// <summary>
    /// For what cannot be undone: <paramref name="given"/> (<c>--confirm</c>) must be the exact name; without it a person
    /// types the name on a terminal, or a script pipes it to stdin (<c>echo NAME | berth …</c>). Throws when it does not
    /// match, saying nothing was deleted.
    /// </summary>
    public static async Task RequireTypedNameAsync(TextWriter prompt, string kind, string name, string? given, CancellationToken cancellationToken)
    {
        if (given is not null)
        {
            if (!string.Equals(given, name, StringComparison.Ordinal))
            {
                throw new CliException($"--confirm '{given}' does not match the {kind} name '{name}'; nothing was deleted.");
            }

            return;
        }

        var interactive = IsInteractive;
        var typed = await AskAsync(prompt, $"Type the {kind} name ({name}) to delete it:", cancellationToken);
        if (!interactive)
        {
            await prompt.WriteLineAsync(); // the piped answer is not echoed
        }

        if (typed is null && !interactive)
        {
            throw new CliException($"no name on standard input; pipe the {kind} name in or pass --confirm NAME. Nothing was deleted.");
        }

        if (!string.Equals(typed, name, StringComparison.Ordinal))
        {
            throw new CliException("Name does not match; nothing was deleted.");
        }
    }

    /// <summary>
    /// A yes/no question for a change that cannot be undone: skipped with <c>--yes</c>; without a terminal (a script)
    /// <c>--yes</c> is required, so nothing is changed by accident (exit code 2).
    /// </summary>
    public static async Task RequireYesAsync(TextWriter prompt, bool yes, string question, string refusal, CancellationToken cancellationToken)
    {
        if (yes)
        {
            return;
        }

        if (!IsInteractive)
        {
            throw new CliException($"{refusal}: standard input is not a terminal, so there is no one to confirm. Pass --yes.")
            {
                ExitCode = BerthCli.UsageErrorExitCode,
            };
        }

        if (!await ConfirmAsync(prompt, question, cancellationToken))
        {
            throw new CliException("cancelled; nothing was changed");
        }
    }

    /// <summary>
    /// A secret: one line of standard input when it is redirected (or <paramref name="fromStdin"/>), else typed on the
    /// terminal without echo after <paramref name="label"/>.
    /// </summary>
    public static async Task<string?> ReadSecretAsync(TextWriter prompt, string label, bool fromStdin, CancellationToken cancellationToken)
    {
        if (fromStdin || Console.IsInputRedirected)
        {
            var line = await Console.In.ReadLineAsync(cancellationToken);
            return line?.TrimEnd('\r', '\n');
        }

        prompt.Write(label + ": ");
        prompt.Flush();
        var secret = new StringBuilder();
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            if (key.Key == ConsoleKey.Enter)
            {
                break;
            }

            if (key.Key == ConsoleKey.Backspace)
            {
                if (secret.Length > 0)
                {
                    secret.Length--;
                }
            }
            else if (!char.IsControl(key.KeyChar))
            {
                secret.Append(key.KeyChar);
            }
        }

        prompt.WriteLine();
        return secret.ToString();
    }
}
