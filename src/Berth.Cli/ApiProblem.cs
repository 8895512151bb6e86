namespace Berth.Cli;

/// <summary>RFC 7807 problem details, as the API answers errors.</summary>
public sealed record ApiProblem(string? Type, string? Title, int? Status, string? Detail);
