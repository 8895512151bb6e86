namespace Berth.Cli;

/// <summary>An error to report to the user as <c>error: message</c> with a non-zero exit code; no stack trace.</summary>
public class CliException : Exception
{
    public CliException()
    {
    }

    public CliException(string message)
        : base(message)
    {
    }

    public CliException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public int ExitCode { get; init; } = 1;
}
