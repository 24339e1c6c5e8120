// allauth's WebAuthn script reports a failed key (cancelled, timed out, not this site's) only
// to the console: say in the page what happened and what to do instead.
(() => {
  const MESSAGES = {
    NotAllowedError:
      "The security key was not used: it was cancelled, timed out, or is not one added to this account. Try again, or use a code instead.",
    InvalidStateError: "This security key is already added to your account.",
    SecurityError:
      "Security keys only work at this site's own address (https, or http://localhost when testing). Open the site at that address and try again.",
    NotSupportedError: "This browser cannot use security keys. Try another browser, or use a code instead.",
    AbortError: "The security key request was stopped. Try again.",
  };
  const FALLBACK = "The security key could not be used. Try again, or use a code instead.";

  const errorBox = () => {
    let box = document.getElementById("webauthn-error");
    if (!box) {
      box = document.createElement("div");
      box.id = "webauthn-error";
      box.className = "alert alert-danger";
      box.setAttribute("role", "alert");
      box.tabIndex = -1;
      document.querySelector("main")?.prepend(box);
    }
    return box;
  };

  document.addEventListener("allauth.error", (event) => {
    const tags = event.detail?.tags || [];
    if (!tags.includes("webauthn")) {
      return;
    }
    event.preventDefault();
    const exception = event.detail.exception;
    const box = errorBox();
    box.textContent = MESSAGES[exception?.name] || FALLBACK;
    box.classList.remove("d-none");
    box.focus();
    console.info("Security key:", exception?.name, exception?.message);
  });
})();
