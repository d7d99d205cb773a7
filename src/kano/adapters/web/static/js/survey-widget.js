/* Kano survey widget: an NPS question and a comment box, drawn where the loader script
   (/s/<survey>/widget.js, which carries the survey's settings) is included, posting to
   Kano's widget endpoint. No framework, no cookies; every text is set with textContent,
   never as HTML. This file is served under a content-hashed URL, cached for a year: the
   loaders queue [settings, their script element] in window.KanoWidgetQueue, and it draws
   each of them (and those queued after it arrived, through KanoWidget.drain). */
(function () {
  "use strict";

  function render(config, script) {
    var host = document.createElement("form");
    host.className = "kano-widget";
    host.setAttribute("novalidate", "");
    host.style.cssText = "font:inherit;max-width:32rem;border:1px solid #d0d5e0;border-radius:10px;padding:1rem;";

    function element(tag, text, style) {
      var node = document.createElement(tag);
      if (text) { node.textContent = text; }
      if (style) { node.style.cssText = style; }
      return node;
    }

    function place(node) {
      var target = script && script.dataset.kanoTarget ? document.getElementById(script.dataset.kanoTarget) : null;
      if (target) { target.appendChild(node); }
      else if (script && script.parentNode) { script.parentNode.insertBefore(node, script.nextSibling); }
      else { document.body.appendChild(node); }
    }

    if (config.closed) {  /* a closed survey ("ended") or a full quota: say so instead of asking */
      host.appendChild(element("p", config.closed === "ended" ? config.ended : config.full, "margin:0;"));
      place(host);
      return;
    }

    var group = element("fieldset", "", "border:0;padding:0;margin:0;");
    group.appendChild(element("legend", config.question, "font-weight:600;margin-bottom:0.5rem;"));
    var scale = element("div", "", "display:flex;flex-wrap:wrap;gap:0.3rem;");
    for (var n = 0; n <= 10; n++) {
      var label = element("label", "", "display:inline-flex;flex-direction:column;align-items:center;min-width:2.4rem;padding:0.3rem;border:1px solid #9aa3b5;border-radius:6px;cursor:pointer;");
      var radio = document.createElement("input");
      radio.type = "radio";
      radio.name = "kano-nps";
      radio.value = String(n);
      label.appendChild(radio);
      label.appendChild(element("span", String(n)));
      scale.appendChild(label);
    }
    group.appendChild(scale);
    group.appendChild(element("p", "0 = " + config.low + " · 10 = " + config.high, "font-size:0.85rem;margin:0.4rem 0;"));
    host.appendChild(group);

    var comment = null;
    if (config.comment) {
      var commentLabel = element("label", config.comment, "display:block;margin-top:0.6rem;font-weight:600;");
      comment = document.createElement("textarea");
      comment.rows = 3;
      comment.maxLength = 10000;
      comment.style.cssText = "display:block;width:100%;box-sizing:border-box;margin-top:0.3rem;";
      commentLabel.appendChild(comment);
      host.appendChild(commentLabel);
    }
    var status = element("p", "", "margin:0.5rem 0 0;");
    status.setAttribute("role", "status");
    var button = element("button", config.send, "margin-top:0.6rem;padding:0.6rem 1.2rem;");
    button.type = "submit";
    host.appendChild(button);
    host.appendChild(status);

    host.addEventListener("submit", function (event) {
      event.preventDefault();
      var chosen = host.querySelector("input[name=kano-nps]:checked");
      if (!chosen) { status.textContent = config.choose; return; }
      var answers = {};
      answers[config.npsKey] = Number(chosen.value);
      if (comment && comment.value.trim()) { answers[config.commentKey] = comment.value; }
      button.disabled = true;
      fetch(config.endpoint, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ t: config.token, lang: config.lang, answers: answers }),
        credentials: "omit"
      }).then(function (response) {
        if (response.status === 409) {  /* the survey's quota filled up meanwhile */
          host.replaceChildren(element("p", config.full, "margin:0;"));
          return;
        }
        if (response.status === 410) {  /* the survey was closed meanwhile */
          host.replaceChildren(element("p", config.ended, "margin:0;"));
          return;
        }
        if (!response.ok) { throw new Error(String(response.status)); }
        host.replaceChildren(element("p", config.thanks, "font-weight:600;margin:0;"));
      }).catch(function () {
        button.disabled = false;
        status.textContent = config.failed;
      });
    });

    place(host);
  }

  function drain() {
    var queue = window.KanoWidgetQueue || [];
    while (queue.length) {
      var item = queue.shift();
      render(item[0], item[1]);
    }
  }

  window.KanoWidget = { render: render, drain: drain };
  drain();
})();
