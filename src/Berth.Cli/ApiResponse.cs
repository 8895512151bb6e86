using System.Text.Json;

namespace Berth.Cli;

/// <summary>A typed response together with the server's JSON, kept unchanged for <c>--json</c>.</summary>
public sealed record ApiResponse<T>(T Value, JsonElement Json);
