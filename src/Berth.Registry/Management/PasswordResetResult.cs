namespace Berth.Registry.Management;

/// <summary>A new password (to show once), and until when the previous one still works (null: it stopped at once).</summary>
public sealed record PasswordResetResult(string Password, DateTimeOffset? PreviousPasswordValidUntil);
