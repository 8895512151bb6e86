namespace Berth.Core.Metadata;

/// <summary>
/// One throttling counter. <see cref="Account"/> is <c>registry:&lt;name&gt;</c> or <c>user:&lt;name&gt;</c>, or
/// <see cref="AnyAccount"/> for every account tried from <see cref="Address"/>.
/// </summary>
public sealed record LoginThrottleEntry(string Account, string Address, int Failures, DateTimeOffset? LastFailureAt, DateTimeOffset? LastSuccessAt)
{
    public const string AnyAccount = "*";
}
