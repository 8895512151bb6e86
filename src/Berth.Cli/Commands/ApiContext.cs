using System.CommandLine;

namespace Berth.Cli.Commands;

/// <summary>What an API verb's action gets: parsed values, an authenticated client and the output.</summary>
public sealed record ApiContext(ParseResult ParseResult, ApiClient Api, Output Output, CancellationToken CancellationToken)
{
    public T Get<T>(Argument<T> argument) => ParseResult.GetRequiredValue(argument);

    public T? Get<T>(Option<T> option) => ParseResult.GetValue(option);
}
