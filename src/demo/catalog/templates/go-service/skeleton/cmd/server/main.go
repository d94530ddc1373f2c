// Command ${{ values.name }}: ${{ values.description }}
package main

import (
	"log"

	"git.lumen.example.com/platform/lumen-sdk-go/chassis"

	"git.lumen.example.com/${{ values.destination.owner }}/${{ values.destination.repo }}/internal/service"
)

func main() {
	app := chassis.New("${{ values.name }}")
	app.Handle("/", service.NewHandler())
	if err := app.Run(); err != nil {
		log.Fatal(err)
	}
}
