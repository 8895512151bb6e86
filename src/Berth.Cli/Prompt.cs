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
}
