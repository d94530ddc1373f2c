package service

import (
	"encoding/json"
	"net/http"
)

// NewHandler returns the HTTP handler of ${{ values.name }}.
func NewHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /hello", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]string{"service": "${{ values.name }}"})
	})
	return mux
}
