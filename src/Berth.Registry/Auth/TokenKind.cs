namespace Berth.Registry.Auth;

public enum TokenKind
{
    Access = 0,
    Refresh = 1,
}
