using System.Globalization;

namespace Berth.Registry.Auth;

/// <summary>
/// A login refused with a reason the client is told: it must wait (<see cref="RetryAfter"/> set, 429), or it sent the
/// password that was replaced (401 saying when). A plain wrong password is not an exception: it is a null principal.
/// </summary>
public sealed class LoginRefusedException : Exception
{
    private LoginRefusedException(string message, TimeSpan? retryAfter)
        : base(message) => RetryAfter = retryAfter;

    /// <summary>Set when the client must wait this long (429); null for a replaced password (401).</summary>
    public TimeSpan? RetryAfter { get; }

    public int StatusCode => RetryAfter is null ? StatusCodes.Status401Unauthorized : StatusCodes.Status429TooManyRequests;

    /// <summary>The <c>Retry-After</c> value in whole seconds (at least 1), or null.</summary>
    public string? RetryAfterSeconds => RetryAfter is { } wait ? Seconds(wait).ToString(CultureInfo.InvariantCulture) : null;

    public static LoginRefusedException Throttled(TimeSpan wait) =>
        new($"too many failed login attempts; retry in {Seconds(wait)} s", wait);

    public static LoginRefusedException PasswordReplaced(DateTimeOffset replacedAt) =>
        new($"this password was replaced at {replacedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)} UTC; log in with the new one", null);

    /// <summary>Writes <c>Retry-After</c> on a throttled response.</summary>
    public void ApplyHeaders(HttpResponse response)
    {
        if (RetryAfterSeconds is { } seconds)
        {
            response.Headers.RetryAfter = seconds;
        }
    }

    private static int Seconds(TimeSpan wait) => Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
}
