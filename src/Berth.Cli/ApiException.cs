namespace Berth.Cli;

/// <summary>The management API answered with an error status (RFC 7807 problem details when the server sent them).</summary>
public sealed class ApiException : CliException
{
    public ApiException(int status, ApiProblem? problem, string fallbackMessage)
        : base(FormatMessage(status, problem, fallbackMessage))
    {
        Status = status;
        Problem = problem;
    }

    public int Status { get; }

    public ApiProblem? Problem { get; }

    private static string FormatMessage(int status, ApiProblem? problem, string fallbackMessage)
    {
        // For 401 a bare title ("Unauthorized") says less than the fallback, which tells how to fix it.
        var text = !string.IsNullOrWhiteSpace(problem?.Detail) ? problem.Detail
            : status != 401 && !string.IsNullOrWhiteSpace(problem?.Title) ? problem.Title
            : fallbackMessage;
        return $"{text} (HTTP {status})";
    }
}
