"""Security guide: OAuth2 bearer tokens with scopes, checked by a dependency."""

from typing import Annotated

from veloxapi import Depends, HTTPException, Security, VeloxAPI, status
from veloxapi.security import OAuth2PasswordBearer, SecurityScopes

app = VeloxAPI()
oauth2 = OAuth2PasswordBearer(tokenUrl="token", scopes={"items:write": "Change items"})

# A real service verifies a signed token (see the auth battery); a table keeps this short.
TOKENS = {"alice-token": ("alice", {"items:write"}), "bob-token": ("bob", set())}


def current_user(scopes: SecurityScopes, token: Annotated[str, Depends(oauth2)]) -> str:
    if token not in TOKENS:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            detail="Invalid token",
            headers={"WWW-Authenticate": "Bearer"},
        )
    user, granted = TOKENS[token]
    missing = set(scopes.scopes) - granted
    if missing:
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            detail="Not enough permissions",
            headers={"WWW-Authenticate": f'Bearer scope="{scopes.scope_str}"'},
        )
    return user


@app.get("/me")
def me(user: Annotated[str, Security(current_user)]) -> dict[str, str]:
    return {"user": user}


@app.post("/items")
def create(user: Annotated[str, Security(current_user, scopes=["items:write"])]) -> dict[str, str]:
    return {"created_by": user}
