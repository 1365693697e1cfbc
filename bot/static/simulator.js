// The simulator page: posts what you type to the inbox, polls the outbox for replies.
(function () {
  "use strict";
  var log = document.getElementById("log");
  var form = document.getElementById("composer");
  var input = document.getElementById("text");
  var lastId = 0;

  function newId() {
    return Date.now().toString(36) + Math.random().toString(36).slice(2, 10);
  }

  function add(who, text, choices, rtl) {
    var item = document.createElement("li");
    item.className = who;
    item.dir = rtl ? "rtl" : "auto";
    item.textContent = text;
    if (choices && choices.length) {
      var box = document.createElement("div");
      box.className = "choices";
      choices.forEach(function (choice) {
        var button = document.createElement("button");
        button.type = "button";
        button.textContent = choice.label;
        button.addEventListener("click", function () {
          add("me", choice.label);
          post({ choice: choice.value, message_id: newId() });
        });
        box.appendChild(button);
      });
      item.appendChild(box);
    }
    log.appendChild(item);
    item.scrollIntoView({ block: "end" });
  }

  function post(body) {
    return fetch("/simulator/send", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      credentials: "same-origin",
      body: JSON.stringify(body)
    });
  }

  function poll() {
    fetch("/simulator/messages?after=" + lastId, { credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        data.messages.forEach(function (message) {
          lastId = Math.max(lastId, message.id);
          add("bot", message.text, message.choices, message.rtl);
        });
      })
      .catch(function () { /* offline for a moment: the next poll catches up */ });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim();
    if (!text) { return; }
    add("me", text);
    input.value = "";
    post({ text: text, message_id: newId() });
  });

  document.getElementById("reset").addEventListener("click", function () {
    fetch("/simulator/reset", { method: "POST", credentials: "same-origin" }).then(function () {
      log.innerHTML = "";
      lastId = 0;
    });
  });

  setInterval(poll, 1000);
  poll();
})();
